"""The GKE control plane as data: location, version and channel, endpoint access, logging, admins, log retention."""

from __future__ import annotations

from dataclasses import dataclass

from inferstack.catalog.gke import gke_facts
from inferstack.gcp.plan.labels import resource_labels
from inferstack.gcp.plan.location import region, zones
from inferstack.gcp.plan.network import FirewallRule, plan_control_plane_rule
from inferstack.planning.defaults import audit_logs_protected, log_retention_days, private_api_endpoint
from inferstack.planning.names import gke_admin_username
from inferstack.spec.models import EnvironmentSpec

LOG_ENABLED_COMPONENTS = ("SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER")
# DCGM: GKE's own GPU metrics (exporter and managed drivers), instead of the DCGM chart that crash-loops on COS nodes.
MONITORING_ENABLED_COMPONENTS = (
    "SYSTEM_COMPONENTS",
    "APISERVER",
    "CONTROLLER_MANAGER",
    "SCHEDULER",
    gke_facts().managed_gpu_metrics.monitoring_component,
)
# The node image of auto-provisioned pools: the managed pools' own (gcp/node_pool.py).
AUTOPROVISIONED_IMAGE = "COS_CONTAINERD"
# GKE looks up RBAC groups only as members of this group of the domain (GKE docs, Google Groups for RBAC).
RBAC_SECURITY_GROUP_NAME = "gke-security-groups"
# Binary Authorization's evaluation modes in the GKE API (terraform-provider-google validates these two).
BINAUTHZ_ENFORCE = "PROJECT_SINGLETON_POLICY_ENFORCE"
BINAUTHZ_DISABLED = "DISABLED"
# Lets a cluster admin read cluster metadata (get-credentials); Kubernetes rights come from RBAC.
CLUSTER_VIEWER_ROLE = "roles/container.clusterViewer"


@dataclass(frozen=True)
class GkeClusterPlan:
    """Everything GkeCluster decides about the control plane."""

    cluster_name: str
    location: str
    node_locations: tuple[str, ...] | None
    kubernetes_version: str
    release_channel: str
    private_endpoint: bool
    authorized_networks: tuple[str, ...]
    deletion_protection: bool
    resource_labels: dict[str, str]
    # Opens the add-ons' webhook ports to the control plane (its source: the cluster's private endpoint).
    control_plane_rule: FirewallRule
    # Binary Authorization: enforce the project's singleton policy (production default) or leave it off.
    binary_authorization: bool = False
    # Google Groups for RBAC: gke-security-groups@<domain>, or None when the domain is not set up for it.
    rbac_security_group: str | None = None
    # Pod-to-pod traffic on one node goes through the VPC too (flow logs, firewall rules see it).
    intranode_visibility: bool = True


@dataclass(frozen=True)
class GkeLogRetentionPlan:
    """The dedicated log bucket and the sink that routes the environment's logs to it."""

    environment: str
    location: str
    retention_days: int
    # Protect the log bucket from deletion (production: it holds the audit trail).
    protect: bool = False


@dataclass(frozen=True)
class ClusterAdmin:
    """One `cluster.admins` entry: its IAM member and the Kubernetes user name GKE authenticates it as."""

    member: str
    username: str


def private_endpoint(spec: EnvironmentSpec) -> bool:
    """Whether the control plane has only a private endpoint (the private profile, or nobody allowed in)."""
    return private_api_endpoint(spec)


def cluster_location(spec: EnvironmentSpec) -> str:
    """The cluster's location: the region (regional, the default) or the single zone (zonal)."""
    where = region(spec)
    if spec.cluster.location == "zonal":
        return zones(spec)[0]
    return where


def cluster_node_locations(spec: EnvironmentSpec) -> list[str] | None:
    """Zones of a regional cluster's nodes; None for a zonal one (GKE wants its own zone left out)."""
    return None if spec.cluster.location == "zonal" else zones(spec)


def release_channel(spec: EnvironmentSpec) -> str:
    """The GKE release channel in the API's spelling (default: REGULAR)."""
    return (spec.cluster.release_channel or "regular").upper()


def plan_cluster(spec: EnvironmentSpec) -> GkeClusterPlan:
    """The control plane of the environment's cluster."""
    node_locations = cluster_node_locations(spec)
    return GkeClusterPlan(
        cluster_name=spec.name,
        location=cluster_location(spec),
        node_locations=tuple(node_locations) if node_locations is not None else None,
        kubernetes_version=spec.cluster.kubernetes_version,
        release_channel=release_channel(spec),
        private_endpoint=private_endpoint(spec),
        authorized_networks=tuple(str(cidr) for cidr in spec.network.api_access),
        deletion_protection=spec.production,
        resource_labels=resource_labels(spec),
        binary_authorization=binary_authorization(spec),
        rbac_security_group=rbac_security_group(spec),
        control_plane_rule=plan_control_plane_rule(spec),
    )


def binary_authorization(spec: EnvironmentSpec) -> bool:
    """Whether GKE enforces the project's Binary Authorization policy: the spec's choice, else production."""
    chosen = spec.cluster.binary_authorization
    return chosen if chosen is not None else spec.production


def rbac_security_group(spec: EnvironmentSpec) -> str | None:
    """The Google Groups for RBAC security group (its name is fixed by GKE), when a domain is set."""
    domain = spec.cluster.rbac_group_domain
    return f"{RBAC_SECURITY_GROUP_NAME}@{domain}" if domain is not None else None


def plan_log_retention(spec: EnvironmentSpec) -> GkeLogRetentionPlan:
    """Keep the cluster's and the subnetwork's logs for `cluster.log_retention_days`."""
    return GkeLogRetentionPlan(
        environment=spec.name,
        location=region(spec),
        retention_days=log_retention_days(spec),
        protect=audit_logs_protected(spec),
    )


def plan_cluster_admins(spec: EnvironmentSpec) -> tuple[ClusterAdmin, ...]:
    """Every `cluster.admins` entry with the user name its RBAC binding names."""
    return tuple(ClusterAdmin(member, gke_admin_username(member)) for member in spec.cluster.admins)
