"""GkeGpuNodePool: one autoscaled GKE pool of identical GPU nodes, and the node settings every pool shares."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plans import (
    GPU_DRIVER_VERSION,
    NODE_OAUTH_SCOPES,
    AutoscalingPlan,
    GpuPoolPlan,
    taint_effect,
)

TYPE_TOKEN = "inferstack:index:GkeGpuNodePool"
# The start count only matters at creation; GKE would replace the pool if it changed with the spec's min.
INITIAL_COUNT_IGNORED = ["initialNodeCount"]


def hardened_node_config(
    machine_type: str,
    disk_gib: int,
    service_account: pulumi.Input[str],
    network_tags: tuple[str, ...],
    resource_labels: dict[str, str],
) -> gcp.container.NodePoolNodeConfigArgsDict:
    """Node settings every pool gets: own identity, shielded VM with secure boot, metadata server hidden."""
    return {
        "machine_type": machine_type,
        "disk_size_gb": disk_gib,
        "image_type": "COS_CONTAINERD",
        "service_account": service_account,
        "oauth_scopes": list(NODE_OAUTH_SCOPES),
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        # Pods get their own identity through Workload Identity, never the node's.
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "metadata": {"disable-legacy-endpoints": "true"},
        "gvnic": {"enabled": True},
        "tags": list(network_tags),
        "resource_labels": resource_labels,
    }


def gpu_node_config(
    plan: GpuPoolPlan, service_account: pulumi.Input[str], resource_labels: dict[str, str]
) -> gcp.container.NodePoolNodeConfigArgsDict:
    """The hardened node settings plus the pool's GPUs, purchase option, labels and taint."""
    config = hardened_node_config(plan.machine_type, plan.disk_gib, service_account, plan.network_tags, resource_labels)
    config["guest_accelerators"] = [
        {
            "type": plan.accelerator_type,
            "count": plan.gpus,
            # GKE installs the driver and runs the device plugin itself; no operator needed.
            "gpu_driver_installation_config": {"gpu_driver_version": GPU_DRIVER_VERSION},
        }
    ]
    config["spot"] = plan.spot
    config["labels"] = dict(plan.labels)
    config["taints"] = [
        {"key": taint.key, "value": taint.value, "effect": taint_effect(taint.effect)} for taint in plan.taints
    ]
    return config


def autoscaling_args(plan: AutoscalingPlan) -> gcp.container.NodePoolAutoscalingArgsDict:
    """Autoscaling in total nodes across zones (the spec's meaning on every cloud), not nodes per zone."""
    return {
        "total_min_node_count": plan.total_min,
        "total_max_node_count": plan.total_max,
        "location_policy": plan.location_policy,
    }


class GkeGpuNodePool(pulumi.ComponentResource):
    """A GPU node pool with GKE-installed drivers, the GPU taint, pool labels and total autoscaling bounds."""

    node_pool: gcp.container.NodePool

    def __init__(
        self,
        name: str,
        plan: GpuPoolPlan,
        *,
        cluster_id: pulumi.Input[str],
        cluster_location: pulumi.Input[str],
        service_account: pulumi.Input[str],
        resource_labels: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.node_pool = gcp.container.NodePool(
            f"{name}-pool",
            name=plan.pool_name,
            cluster=cluster_id,
            location=cluster_location,
            node_locations=list(plan.zones),
            initial_node_count=plan.autoscaling.initial_per_zone,
            autoscaling=autoscaling_args(plan.autoscaling),
            management={"auto_repair": True, "auto_upgrade": True},
            node_config=gpu_node_config(plan, service_account, resource_labels),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=INITIAL_COUNT_IGNORED),
        )
        self.register_outputs({"node_pool": self.node_pool.name})
