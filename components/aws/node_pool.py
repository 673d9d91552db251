"""EksGpuNodePool and EksSystemNodePool: an EKS managed node group on a hardened launch template.

The launch template requires IMDSv2 with a hop limit of 1 (pods cannot reach the node role's credentials; they use
their own IRSA roles), encrypts a gp3 root volume, turns detailed monitoring off (billed per instance, and the
workload's own metrics matter more) and propagates tags to instances, volumes and network interfaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from inferstack.aws.plan.node_user_data import node_user_data
from inferstack.aws.plan.nodes import EksNodePoolPlan
from inferstack.planning.names import autoscaler_tag_name
from inferstack.planning.scheduling import api_taint_effect
from inferstack.renames import formerly
from inferstack.target import POOL_LABEL

ROOT_DEVICE = "/dev/xvda"  # the root device of the AL2023 EKS AMIs
# The autoscaler owns the size after creation; Pulumi would otherwise undo every scale-out on the next update.
DESIRED_SIZE_PATH = "scalingConfig.desiredSize"
# A node group is named by a prefix: the provider adds a unique suffix, so a replacement group is created (and
# its nodes join) before the old one is deleted. A fixed node_group_name makes the bridge delete the old group
# first (infra/review/fixed_names.yaml): the pool's pods have no node until the new group is up.
# terraform-provider-aws: the suffix is 26 characters and the name at most 63, so the prefix at most 37.
NODE_GROUP_PREFIX_MAX = 37
# Groups created with a fixed name before the prefix keep it: Pulumi resets ignored inputs to the deployed ones,
# so upgrading inferstack does not replace a running group; a group created since has only the prefix.
NODE_GROUP_NAME_PATHS = ["nodeGroupName", "nodeGroupNamePrefix"]


def node_group_name_prefix(node_group_name: str) -> str:
    """The name prefix of a node group (the provider appends a unique suffix), short enough for EKS."""
    return node_group_name[: NODE_GROUP_PREFIX_MAX - 1].rstrip("-") + "-"


class _ManagedNodePool(pulumi.ComponentResource):
    """The shared body of both pool kinds: launch template, node group, autoscaler tags on its Auto Scaling group."""

    TYPE_TOKEN = ""
    FORMER_TYPE_TOKEN = ""
    node_group: aws.eks.NodeGroup

    def __init__(
        self,
        name: str,
        plan: EksNodePoolPlan,
        *,
        cluster_name: pulumi.Input[str],
        node_group_name: str,
        node_role_arn: pulumi.Input[str],
        subnet_ids: Mapping[str, pulumi.Input[str]],
        security_group_ids: Sequence[pulumi.Input[str]],
        tags: dict[str, str],
        depends_on: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, formerly(opts, self.FORMER_TYPE_TOKEN))
        child = pulumi.ResourceOptions(parent=self)
        node_tags = {**tags, "Name": node_group_name, POOL_LABEL: plan.key}
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"Nodes of {node_group_name}",
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": ROOT_DEVICE,
                    "ebs": {
                        "volume_size": plan.scheduling.disk_gib,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            monitoring={"enabled": False},
            # None unless the pool opts into local NVMe: a pool without it keeps its launch template as it was.
            user_data=node_user_data(plan.scheduling.cold_start),
            vpc_security_group_ids=list(security_group_ids),
            tag_specifications=[
                {"resource_type": kind, "tags": node_tags} for kind in ("instance", "volume", "network-interface")
            ],
            tags=tags,
            opts=child,
        )
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=cluster_name,
            node_group_name_prefix=node_group_name_prefix(node_group_name),
            node_role_arn=node_role_arn,
            subnet_ids=[subnet_ids[zone] for zone in plan.zones],
            instance_types=list(plan.instance_types),
            capacity_type=plan.capacity_type,
            ami_type=plan.ami_type,
            scaling_config={"min_size": plan.min_size, "max_size": plan.max_size, "desired_size": plan.desired_size},
            update_config={"max_unavailable": 1},
            labels=plan.scheduling.labels,
            taints=[
                {"key": taint.key, "value": taint.value, "effect": api_taint_effect(taint.effect)}
                for taint in plan.scheduling.taints
            ],
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            tags={**tags, **plan.autoscaler_tags},
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=[DESIRED_SIZE_PATH, *NODE_GROUP_NAME_PATHS], depends_on=list(depends_on)
            ),
        )
        # EKS does not copy node group tags to its Auto Scaling group, where the cluster autoscaler reads the
        # node templates of empty pools: without these, a pool at zero nodes could never scale up.
        asg_name = self.node_group.resources.apply(
            lambda resources: (resources[0].autoscaling_groups or [None])[0] if resources else None
        ).apply(lambda group: (group.name or "") if group else "")
        for key, value in plan.autoscaler_tags.items():
            aws.autoscaling.Tag(
                f"{name}-asg-{autoscaler_tag_name(key)}",
                autoscaling_group_name=asg_name,  # pyright: ignore[reportArgumentType]
                tag={"key": key, "value": value, "propagate_at_launch": False},
                opts=child,
            )
        self.register_outputs({"node_group_name": self.node_group.node_group_name})


class EksGpuNodePool(_ManagedNodePool):
    """One `node_pools` entry: GPU nodes tainted for GPU pods only, labelled with pool and GPU, scaling from zero."""

    TYPE_TOKEN = "inferstack:index:EksGpuNodePool"
    FORMER_TYPE_TOKEN = "inferstack:index:GpuNodePool"


class EksSystemNodePool(_ManagedNodePool):
    """The small on-demand CPU pool for cluster add-ons (DNS, autoscaler, device plugin controllers)."""

    TYPE_TOKEN = "inferstack:index:EksSystemNodePool"
    FORMER_TYPE_TOKEN = "inferstack:index:SystemNodePool"
