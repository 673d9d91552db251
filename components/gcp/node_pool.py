"""GkeGpuNodePool: one autoscaled GKE pool of identical GPU nodes, and the node settings every pool shares."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from inferstack import catalog
from inferstack.gcp.plan.identity import NODE_OAUTH_SCOPES
from inferstack.gcp.plan.nodes import GPU_DRIVER_VERSION, AutoscalingPlan, GkeNodePoolPlan
from inferstack.planning.scheduling import api_taint_effect

TYPE_TOKEN = "inferstack:index:GkeGpuNodePool"
# The start count only matters at creation; GKE would replace the pool if it changed with the spec's min.
INITIAL_COUNT_IGNORED = ["initialNodeCount"]
# A pool is named by a prefix: the provider adds a unique suffix, so a replacement pool is created (its nodes
# ready) before the old one is deleted; with a fixed name the bridge deletes the old pool first
# (infra/review/fixed_names.yaml). terraform-provider-google resource_container_node_pool.go: name_prefix is at
# most 31 characters. A pool created with its fixed name before keeps it: Pulumi resets ignored inputs to the
# deployed ones, so upgrading inferstack replaces no pool.
NAME_PREFIX_MAX = 31
POOL_NAME_PATHS = ["name", "namePrefix"]
# GKE local SSDs come in 375 GB disks (the count the API takes is the catalog's bundled GB / 375).
LOCAL_SSD_GB = 375


def pool_name_prefix(pool_name: str) -> str:
    """The name prefix of a node pool (the provider appends a unique suffix), within GKE's limit."""
    return pool_name[: NAME_PREFIX_MAX - 1].rstrip("-") + "-"


def node_config(plan: GkeNodePoolPlan, service_account: pulumi.Input[str]) -> gcp.container.NodePoolNodeConfigArgsDict:
    """Node settings every pool gets (own identity, shielded VM, metadata server hidden), plus a GPU pool's GPUs."""
    config: gcp.container.NodePoolNodeConfigArgsDict = {
        "machine_type": plan.machine_type,
        "disk_size_gb": plan.scheduling.disk_gib,
        "image_type": "COS_CONTAINERD",
        "service_account": service_account,
        "oauth_scopes": list(NODE_OAUTH_SCOPES),
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        # Pods get their own identity through Workload Identity, never the node's.
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "metadata": {"disable-legacy-endpoints": "true"},
        "gvnic": {"enabled": True},
        "tags": list(plan.network_tags),
        "resource_labels": plan.resource_labels,
    }
    if plan.accelerators is None:
        # The system pool's config stays as shipped: no spot, labels or taints fields at all.
        return config
    config["guest_accelerators"] = [
        {
            "type": plan.accelerators.accelerator_type,
            "count": plan.accelerators.count,
            # GKE installs the driver and runs the device plugin itself; no operator needed.
            "gpu_driver_installation_config": {"gpu_driver_version": GPU_DRIVER_VERSION},
        }
    ]
    config["spot"] = plan.spot
    config["labels"] = dict(plan.scheduling.labels)
    config["taints"] = [
        {"key": taint.key, "value": taint.value, "effect": api_taint_effect(taint.effect)}
        for taint in plan.scheduling.taints
    ]
    config.update(cold_start_config(plan))
    return config


def cold_start_config(plan: GkeNodePoolPlan) -> gcp.container.NodePoolNodeConfigArgsDict:
    """The pool's opt-in cold-start node settings; none unless its `cold_start:` asks (they replace the nodes)."""
    cold = plan.scheduling.cold_start
    config: gcp.container.NodePoolNodeConfigArgsDict = {}
    if cold.image_streaming:
        # GKE image streaming: containers start while the image is still being fetched (needs Artifact Registry).
        config["gcfs_config"] = {"enabled": True}
    if cold.local_nvme:
        # Every bundled local SSD backs ephemeral storage (images, emptyDir, logs) as one array.
        local_gb = catalog.instance_types("gcp")[plan.machine_type].local_nvme_gb or 0
        config["ephemeral_storage_local_ssd_config"] = {"local_ssd_count": round(local_gb / LOCAL_SSD_GB)}
    return config


def autoscaling_args(plan: AutoscalingPlan) -> gcp.container.NodePoolAutoscalingArgsDict:
    """Autoscaling in total nodes across zones (the spec's meaning on every cloud), not nodes per zone."""
    return {
        "total_min_node_count": plan.total_min,
        "total_max_node_count": plan.total_max,
        "location_policy": plan.location_policy,
    }


def node_pool(
    name: str,
    plan: GkeNodePoolPlan,
    *,
    cluster_id: pulumi.Input[str],
    cluster_location: pulumi.Input[str],
    service_account: pulumi.Input[str],
    parent: pulumi.Resource,
) -> gcp.container.NodePool:
    """One GKE node pool laid out by its plan, auto-repaired and auto-upgraded, sized in total nodes."""
    return gcp.container.NodePool(
        name,
        name_prefix=pool_name_prefix(plan.pool_name),
        cluster=cluster_id,
        location=cluster_location,
        node_locations=list(plan.zones),
        initial_node_count=plan.autoscaling.initial_per_zone,
        autoscaling=autoscaling_args(plan.autoscaling),
        management={"auto_repair": True, "auto_upgrade": True},
        node_config=node_config(plan, service_account),
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=[*INITIAL_COUNT_IGNORED, *POOL_NAME_PATHS]),
    )


class GkeGpuNodePool(pulumi.ComponentResource):
    """A GPU node pool with GKE-installed drivers, the GPU taint, pool labels and total autoscaling bounds."""

    node_pool: gcp.container.NodePool

    def __init__(
        self,
        name: str,
        plan: GkeNodePoolPlan,
        *,
        cluster_id: pulumi.Input[str],
        cluster_location: pulumi.Input[str],
        service_account: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.node_pool = node_pool(
            f"{name}-pool",
            plan,
            cluster_id=cluster_id,
            cluster_location=cluster_location,
            service_account=service_account,
            parent=self,
        )
        self.register_outputs({"node_pool": self.node_pool.name})
