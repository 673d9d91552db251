"""The AWS layer: VPC, security groups, EKS, GPU node pools, model bucket and workload identities.

Built on raw `pulumi_aws` resources (not pulumi-eks or awsx, which are opaque under the offline engine). Pure
`plan_*` functions decide; the components only loop over their results. `AwsEnvironment` ties it together and
fills the `ClusterTarget` the workload layer reads.
"""
