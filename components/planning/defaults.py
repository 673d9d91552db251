"""Defaults that depend on other fields or on the catalog, resolved in one place.

Checks and components both call these, so what is validated is exactly what gets built.
"""

from __future__ import annotations

from inferstack import catalog
from inferstack.catalog.schema import InstanceType
from inferstack.spec.models import EnvironmentSpec, NodePoolSpec

DEFAULT_ZONE_COUNT = 2
DEFAULT_LOG_RETENTION_DAYS = 90
# A year of control-plane, flow and access logs: what audit frameworks ask of production (CIS AWS Foundations,
# PCI DSS 10.5.1) and what outside scanners check; validation refuses less in a production stack.
PRODUCTION_LOG_RETENTION_DAYS = 365
DEFAULT_SYSTEM_TYPES = {"aws": "m6i.large", "gcp": "e2-standard-4"}


def effective_zones(spec: EnvironmentSpec) -> list[str]:
    """The zones the environment uses: the spec's, else the region's first two; [] without a region."""
    if spec.zones is not None:
        return list(spec.zones)
    if spec.cloud == "kubernetes" or spec.region is None:
        return []
    region = catalog.regions(spec.cloud).get(spec.region)
    return list(region.zones[:DEFAULT_ZONE_COUNT]) if region else []


def zone_slots(spec: EnvironmentSpec) -> dict[str, int]:
    """Each used zone's stable slot: its position in the region's zone table (used by the subnet planner)."""
    if spec.cloud == "kubernetes" or spec.region is None:
        return {}
    region = catalog.regions(spec.cloud).get(spec.region)
    table = list(region.zones) if region else []
    return {zone: table.index(zone) for zone in effective_zones(spec) if zone in table}


def pool_zones(spec: EnvironmentSpec, pool: NodePoolSpec) -> list[str]:
    """The zones one pool may place nodes in."""
    return list(pool.zones) if pool.zones is not None else effective_zones(spec)


def pool_instance_type(spec: EnvironmentSpec, pool: NodePoolSpec) -> tuple[str, InstanceType] | None:
    """The instance/machine type of a GPU pool: the explicit one, else the cheapest catalog match."""
    if spec.cloud == "kubernetes" or spec.region is None:
        return None
    if pool.instance_type is not None:
        found = catalog.instance_types(spec.cloud).get(pool.instance_type)
        return (pool.instance_type, found) if found else None
    matches = catalog.gpu_instance_types(spec.cloud, pool.gpu, pool.gpus_per_node, spec.region)
    return matches[0] if matches else None


def system_instance_type(spec: EnvironmentSpec) -> str | None:
    """The CPU instance/machine type of the system pool."""
    if spec.cloud == "kubernetes":
        return None
    return spec.cluster.system_pool.instance_type or DEFAULT_SYSTEM_TYPES[spec.cloud]


def data_protected(spec: EnvironmentSpec) -> bool:
    """Whether stateful resources (bucket, keys) are protected from deletion."""
    return spec.model_store.protect if spec.model_store.protect is not None else spec.production


def audit_logs_protected(spec: EnvironmentSpec) -> bool:
    """Whether audit-relevant logs (control-plane and flow-log groups, log buckets) are protected from deletion."""
    # Every production stack keeps them, whatever model_store.protect says: weights can be staged again, an
    # audit trail cannot be recorded again.
    return spec.production


def log_retention_days(spec: EnvironmentSpec) -> int:
    """Days logs are kept: `cluster.log_retention_days`, else 365 in production and 90 otherwise."""
    if spec.cluster.log_retention_days is not None:
        return spec.cluster.log_retention_days
    return PRODUCTION_LOG_RETENTION_DAYS if spec.production else DEFAULT_LOG_RETENTION_DAYS


def private_api_endpoint(spec: EnvironmentSpec) -> bool:
    """Whether the cluster's API is reachable only from inside its VPC (the private profile, or no api_access)."""
    # The same rule on both clouds: EKS keeps only its private endpoint and GKE enables its private endpoint only.
    return spec.cloud in ("aws", "gcp") and (spec.security_profile == "private" or not spec.network.api_access)
