"""AwsEnvironment: network, security groups, EKS, node pools, autoscaler, model store and identities on AWS.

It turns one checked spec into the AWS components and fills the `ClusterTarget` the workload layer reads.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi
import pulumi_aws as aws

from inferstack.aws.addons import EksAddons
from inferstack.aws.cluster import EksCluster
from inferstack.aws.cluster_autoscaler import EksClusterAutoscaler
from inferstack.aws.identity import EksWorkloadIdentities, role_annotations
from inferstack.aws.karpenter import EksKarpenter, karpenter_node_role_name
from inferstack.aws.log_key import logs_key
from inferstack.aws.model_store import S3ModelStore, bucket_name
from inferstack.aws.network import AwsNetwork
from inferstack.aws.node_pool import EksGpuNodePool, EksSystemNodePool
from inferstack.aws.plan.karpenter import DISCOVERY_TAG, DO_NOT_DISRUPT, plan_karpenter_pool
from inferstack.aws.plan.logging import control_plane_log_types, environment_log_groups
from inferstack.aws.plan.network import plan_network
from inferstack.aws.plan.nodes import EksNodePoolPlan, plan_eks_gpu_pool, plan_eks_system_pool
from inferstack.aws.plan.security_rules import plan_security_rules
from inferstack.aws.plan.storage import ebs_storage_class_object
from inferstack.aws.security_groups import EksSecurityGroups
from inferstack.catalog.eks import eks_catalog, eks_release
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.planning.defaults import audit_logs_protected, data_protected, log_retention_days
from inferstack.planning.provisioning import provisioner
from inferstack.planning.scheduling import SYSTEM_POOL, target_pool
from inferstack.planning.spec_serving import compile_cache_models
from inferstack.provider_types import Aws
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import ClusterTarget

TYPE_TOKEN = "inferstack:index:AwsEnvironment"
# Read by the in-tree (cloud-controller) service controller and, if installed, the AWS Load Balancer Controller.
INTERNAL_LB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
}


def public_access_cidrs(spec: EnvironmentSpec) -> list[str]:
    """CIDRs allowed to the public API endpoint: none in the private profile or when api_access is empty."""
    if spec.security_profile == "private":
        return []
    return [str(cidr) for cidr in spec.network.api_access]


class AwsEnvironment(pulumi.ComponentResource):
    """Everything an LLM environment needs on AWS, and the `ClusterTarget` the workload layer deploys to."""

    target: ClusterTarget
    outputs: dict[str, Any]

    def __init__(self, name: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        assert spec.region is not None, "checked specs on aws always have a region"
        # Every resource and invoke uses one explicit provider: the caller's, or one set to the spec's region, so
        # an ambient `aws:region` or AWS_REGION can never send the environment to another region.
        self.provider = self.get_provider(Aws.VPC) or aws.Provider(
            f"{name}-aws", region=spec.region, opts=pulumi.ResourceOptions(parent=self)
        )
        child = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        release = eks_release(spec.cluster.kubernetes_version)
        assert release is not None, "checked specs on aws always have pinned add-ons"
        region, cluster_name, tags = spec.region, spec.name, {**spec.tags, "inferstack.dev/environment": spec.name}
        protect = data_protected(spec)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=self.provider)).account_id
        karpenter = provisioner(spec) == "karpenter"
        # Karpenter finds the private subnets and the node security group by this tag.
        discovery = {DISCOVERY_TAG: cluster_name} if karpenter else {}

        # One customer key for every log group, created first: the flow-log group comes with the network.
        log_key = logs_key(
            name,
            environment=spec.name,
            account_id=account_id,
            region=region,
            log_groups=environment_log_groups(spec, f"{name}-network"),
            protect=audit_logs_protected(spec),
            tags=tags,
            opts=child,
        )
        network_plan = plan_network(spec)
        rules = plan_security_rules(str(network_plan.vpc), bool(network_plan.interface_endpoints))
        network = AwsNetwork(
            f"{name}-network",
            network_plan,
            cluster_name=cluster_name,
            region=region,
            tags=tags,
            endpoint_rules=rules,
            logs_key_arn=log_key.arn,
            discovery_tags=discovery,
            opts=child,
        )
        groups = EksSecurityGroups(
            f"{name}-sg",
            vpc_id=network.vpc_id,
            rules=rules,
            cluster_name=cluster_name,
            tags=tags,
            discovery_tags=discovery,
            opts=child,
        )
        cluster = EksCluster(
            f"{name}-eks",
            cluster_name=cluster_name,
            region=region,
            kubernetes_version=spec.cluster.kubernetes_version,
            upgrade_policy=spec.cluster.upgrade_policy,
            subnet_ids=list(network.private_subnet_ids.values()),
            security_group_id=groups.cluster_group_id,
            services_cidr=str(spec.network.services_cidr),
            public_access_cidrs=public_access_cidrs(spec),
            admins=spec.cluster.admins,
            log_retention_days=log_retention_days(spec),
            protect=protect,
            tags=tags,
            account_id=account_id,
            protect_logs=audit_logs_protected(spec),
            logs_key_arn=log_key.arn,
            control_plane_logs=control_plane_log_types(spec),
            opts=child,
        )

        # The VPC CNI (with its network policy agent) before any node group, so the first nodes boot with it.
        addons = EksAddons(
            f"{name}-addons",
            cluster_name=cluster.cluster_name,
            release=release,
            configuration=eks_catalog().addon_configuration,
            oidc=cluster.oidc,
            tags=tags,
            opts=child,
        )

        def pool_args(plan: EksNodePoolPlan) -> dict[str, Any]:
            return {
                "cluster_name": cluster.cluster_name,
                "node_group_name": f"{cluster_name}-{plan.key}",
                "node_role_arn": cluster.node_role.arn,
                "subnet_ids": network.private_subnet_ids,
                "security_group_ids": [groups.node_group_id],
                "tags": tags,
                "depends_on": [*cluster.node_role_attachments, *addons.before_compute],
                "opts": child,
            }

        system_plan = plan_eks_system_pool(spec)
        system = EksSystemNodePool(f"{name}-{SYSTEM_POOL}", system_plan, **pool_args(system_plan))
        gpu_plans = {key: plan_eks_gpu_pool(spec, key) for key in spec.node_pools}
        if not karpenter:
            for key, plan in gpu_plans.items():
                EksGpuNodePool(f"{name}-pool-{key}", plan, **pool_args(plan))

        addons.after_nodes([system.node_group])
        autoscaler = EksClusterAutoscaler(
            f"{name}-autoscaler",
            cluster_name=cluster_name,
            region=region,
            account_id=account_id,
            oidc=cluster.oidc,
            chart=eks_catalog().cluster_autoscaler_chart,
            pin=release.cluster_autoscaler,
            node_selector=dict(system_plan.scheduling.labels),
            provider=cluster.provider,
            depends_on=[system.node_group],
            tags=tags,
            opts=child,
        )

        controller: EksKarpenter | None = None
        if karpenter:
            # No GPU node group exists, so the autoscaler above only sizes the system group.
            node_role = karpenter_node_role_name(cluster_name)
            controller = EksKarpenter(
                f"{name}-karpenter",
                cluster_name=cluster_name,
                region=region,
                account_id=account_id,
                oidc=cluster.oidc,
                chart=k8s_addons().charts["karpenter"],
                pools=[plan_karpenter_pool(spec, key, node_role=node_role, tags=tags) for key in spec.node_pools],
                node_selector=dict(system_plan.scheduling.labels),
                system_nodes=system_plan.min_size,
                cluster=cluster.cluster_name,
                provider=cluster.provider,
                depends_on=[system.node_group, *addons.before_compute],
                tags=tags,
                opts=child,
            )
        self.outputs = {
            "cluster_name": cluster.cluster_name,
            "cluster_endpoint": cluster.endpoint,
            "kubeconfig": cluster.kubeconfig,
            "vpc_id": network.vpc_id,
            "oidc_provider_arn": cluster.oidc.arn,
            "cluster_autoscaler_role_arn": autoscaler.role_arn,
        }
        if controller is not None:
            self.outputs["karpenter_role_arn"] = controller.role_arn
            self.outputs["karpenter_interruption_queue"] = controller.queue_name
        model_store_uri: pulumi.Output[str] | None = None
        reader_annotations: dict[str, pulumi.Output[dict[str, str]]] = {}
        writer_annotations: pulumi.Output[dict[str, str]] | None = None
        if spec.model_store.bucket:
            store = S3ModelStore(
                f"{name}-models",
                spec.model_store,
                bucket_name=account_id.apply(lambda account: bucket_name(spec.name, account, region)),
                protect=protect,
                tags=tags,
                account_id=account_id,
                region=region,
                # Production records who read and wrote the weights (S3 server access logs).
                access_logs_bucket_name=(
                    account_id.apply(lambda account: bucket_name(spec.name, account, region, "access-logs"))
                    if spec.production
                    else None
                ),
                log_retention_days=log_retention_days(spec),
                protect_logs=audit_logs_protected(spec),
                opts=child,
            )
            identities = EksWorkloadIdentities(
                f"{name}-identity",
                models=sorted(spec.models),
                oidc=cluster.oidc,
                bucket=store.bucket,
                key_arn=store.key_arn,
                tags=tags,
                compile_cache_models=compile_cache_models(spec),
                opts=child,
            )
            model_store_uri = store.bucket.apply(lambda bucket: f"s3://{bucket}")
            reader_annotations = {model: role_annotations(role) for model, role in identities.reader_roles.items()}
            writer_annotations = role_annotations(identities.writer_role)
            self.outputs["model_bucket"] = store.bucket
            self.outputs["model_store_uri"] = model_store_uri

        storage_class = ebs_storage_class_object()
        self.target = ClusterTarget(
            provider=cluster.provider,
            pools={
                key: replace(
                    target_pool(plan.scheduling, "aws"), loading_guard_annotation=DO_NOT_DISRUPT if karpenter else None
                )
                for key, plan in gpu_plans.items()
            },
            # The AL2023 NVIDIA AMI brings the driver and container toolkit, not the device plugin DaemonSet.
            needs_device_plugin=True,
            model_store_uri=model_store_uri,
            reader_annotations=reader_annotations,
            writer_annotations=writer_annotations,
            internal_lb_annotations=dict(INTERNAL_LB_ANNOTATIONS),
            # EKS has no default StorageClass: Prometheus's volume and any cache claim use this encrypted gp3 one.
            storage_class=storage_class["metadata"]["name"],
            storage_class_object=storage_class,
            storage_after=(addons.addons["aws-ebs-csi-driver"],),
        )
        self.register_outputs(self.outputs)
