"""GkeCluster: a private GKE Standard cluster with its system pool, a kubeconfig and a Kubernetes provider."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from inferstack.gcp.network import firewall
from inferstack.gcp.node_pool import node_pool
from inferstack.gcp.plan.cluster import (
    AUTOPROVISIONED_IMAGE,
    BINAUTHZ_DISABLED,
    BINAUTHZ_ENFORCE,
    LOG_ENABLED_COMPONENTS,
    MONITORING_ENABLED_COMPONENTS,
    GkeClusterPlan,
)
from inferstack.gcp.plan.compute_class import AutoprovisioningPlan
from inferstack.gcp.plan.identity import NODE_OAUTH_SCOPES
from inferstack.gcp.plan.kubeconfig import gke_kubeconfig
from inferstack.gcp.plan.network import PODS_RANGE_NAME, SERVICES_RANGE_NAME
from inferstack.gcp.plan.nodes import GkeNodePoolPlan

TYPE_TOKEN = "inferstack:index:GkeCluster"


def cluster_autoscaling(
    plan: AutoprovisioningPlan | None, service_account: pulumi.Input[str]
) -> gcp.container.ClusterClusterAutoscalingArgsDict | None:
    """Node auto-provisioning for ComputeClass pools: limits from the pools' max, nodes as the managed pools' are.

    Auto-created nodes get what the managed pools have: the environment's node identity and scopes, shielded VM
    (secure boot, integrity monitoring), COS, auto-repair and auto-upgrade. Boot disks keep Google-managed
    encryption, as the managed pools' do. None (no ComputeClass pools): the field stays unset, as before.
    """
    if plan is None:
        return None
    return {
        "enabled": True,
        "resource_limits": [{"resource_type": kind, "minimum": 0, "maximum": most} for kind, most in plan.limits],
        "auto_provisioning_locations": list(plan.zones),
        "auto_provisioning_defaults": {
            "service_account": service_account,
            "oauth_scopes": list(NODE_OAUTH_SCOPES),
            "image_type": AUTOPROVISIONED_IMAGE,
            "disk_size": plan.disk_gib,
            "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
            "management": {"auto_repair": True, "auto_upgrade": True},
        },
    }


class GkeCluster(pulumi.ComponentResource):
    """GKE Standard: private nodes, Workload Identity, Dataplane V2, KMS-encrypted secrets, intranode visibility,
    Binary Authorization (production), Google Groups for RBAC (when a domain is set), system pool.

    The control plane is reachable from `network.api_access` only; with the private profile (or no
    api_access) it has a private endpoint only, so Pulumi must then run from inside the VPC.
    """

    cluster: gcp.container.Cluster
    system_pool: gcp.container.NodePool
    kubeconfig: pulumi.Output[str]
    provider: k8s.Provider

    def __init__(
        self,
        name: str,
        plan: GkeClusterPlan,
        system_pool: GkeNodePoolPlan,
        *,
        network_id: pulumi.Input[str],
        subnetwork_id: pulumi.Input[str],
        project_id: pulumi.Input[str],
        secrets_key_id: pulumi.Input[str],
        node_service_account: pulumi.Input[str],
        autoprovisioning: AutoprovisioningPlan | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        authorized: list[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgsDict] = [
            {"cidr_block": cidr, "display_name": cidr} for cidr in plan.authorized_networks
        ]
        self.cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=plan.cluster_name,
            description=f"inferstack environment {plan.cluster_name}",
            location=plan.location,
            node_locations=list(plan.node_locations) if plan.node_locations is not None else None,
            network=network_id,
            subnetwork=subnetwork_id,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": PODS_RANGE_NAME,
                "services_secondary_range_name": SERVICES_RANGE_NAME,
            },
            # GKE cannot start without a pool; the default one is created and deleted at once, and the
            # managed pools below (own identity, shielded, tainted) are the only ones that stay.
            remove_default_node_pool=True,
            initial_node_count=1,
            # The transient default pool runs as the environment's node identity, not the Compute Engine default
            # account (which often holds Editor). node_config is ForceNew on the cluster: ignoring its changes keeps
            # clusters created before this setting (their default pool long gone) from being replaced.
            node_config={"service_account": node_service_account},
            min_master_version=plan.kubernetes_version,
            release_channel={"channel": plan.release_channel},
            # Nodes without public IPs; no master CIDR, so GKE uses Private Service Connect for the control plane.
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": plan.private_endpoint,
            },
            master_authorized_networks_config={
                "cidr_blocks": authorized,
                "gcp_public_cidrs_access_enabled": False,
            },
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            workload_identity_config={"workload_pool": pulumi.Output.concat(project_id, ".svc.id.goog")},
            enable_shielded_nodes=True,
            enable_legacy_abac=False,
            # Dataplane V2 (eBPF) enforces NetworkPolicies without a separate add-on.
            datapath_provider="ADVANCED_DATAPATH",
            database_encryption={"state": "ENCRYPTED", "key_name": secrets_key_id},
            logging_config={"enable_components": list(LOG_ENABLED_COMPONENTS)},
            monitoring_config={
                "enable_components": list(MONITORING_ENABLED_COMPONENTS),
                "managed_prometheus": {"enabled": True},
            },
            # The GCS FUSE CSI driver lets pods mount the model bucket; persistent disks for caches.
            addons_config={
                "gcs_fuse_csi_driver_config": {"enabled": True},
                "gce_persistent_disk_csi_driver_config": {"enabled": True},
                "http_load_balancing": {"disabled": False},
            },
            # Same-node pod traffic through the VPC as well, so flow logs and firewall rules see all of it.
            enable_intranode_visibility=plan.intranode_visibility,
            # Admission checks against the project's Binary Authorization policy (README: the policy to set).
            binary_authorization={
                "evaluation_mode": BINAUTHZ_ENFORCE if plan.binary_authorization else BINAUTHZ_DISABLED
            },
            authenticator_groups_config=(
                {"security_group": plan.rbac_security_group} if plan.rbac_security_group is not None else None
            ),
            resource_labels=plan.resource_labels,
            cluster_autoscaling=cluster_autoscaling(autoprovisioning, node_service_account),
            deletion_protection=plan.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on), ignore_changes=["nodeConfig"]),
        )
        self.system_pool = node_pool(
            f"{name}-system",
            system_pool,
            cluster_id=self.cluster.id,
            cluster_location=self.cluster.location,
            service_account=node_service_account,
            parent=self,
        )
        rule = plan.control_plane_rule
        # The control plane calls webhooks from its private endpoint (a Private Service Connect cluster has no
        # master CIDR block to name instead).
        self.control_plane_firewall = firewall(
            f"{name}-{rule.key}",
            rule,
            gcp_name=f"{plan.cluster_name}-{rule.key}",
            network_id=network_id,
            source_ranges=self.cluster.private_cluster_config.apply(
                lambda config: [f"{config.private_endpoint if config else None}/32"]
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        context = plan.cluster_name
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(self.cluster.endpoint, self.cluster.master_auth.cluster_ca_certificate).apply(
                lambda args: gke_kubeconfig(context, str(args[0]), str(args[1]))
            )
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            # Workloads wait for a node to run on, and KEDA's webhooks and metrics API for the firewall rule.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.system_pool, self.control_plane_firewall]),
        )
        self.register_outputs(
            {"name": self.cluster.name, "endpoint": self.cluster.endpoint, "kubeconfig": self.kubeconfig}
        )
