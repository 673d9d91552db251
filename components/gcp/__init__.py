"""GCP layer: VPC, firewall, Cloud NAT, GKE, GPU node pools, GCS model store and Workload Identity.

Raw `pulumi_gcp` resources in thin components; every decision comes from the pure functions in `plans.py`
and `kubeconfig.py`. Nothing here imports the AWS layer.
"""
