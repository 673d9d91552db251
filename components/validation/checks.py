"""Every cross-field rule of the environment spec: each problem is collected, none stops the others.

Each check reads a field-valid `EnvironmentSpec` whose `auto` values are resolved and yields issues; nothing
here calls a cloud API: regions, zones and types come from the static catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.adapters import check_adapters
from inferstack.validation.aws import check_aws
from inferstack.validation.capacity import check_capacity, warn_capacity
from inferstack.validation.cloud import check_cloud_fields, check_region_and_zones
from inferstack.validation.cold_start import check_cold_start, warn_fast_pull_on_root_volume, warn_unstreamed_image
from inferstack.validation.common import Check
from inferstack.validation.compute_class import check_compute_class, warn_compute_class
from inferstack.validation.engine_release import (
    check_engine_release,
    check_quantization_release,
    warn_engine_release,
)
from inferstack.validation.engines import warn_cpu_engine
from inferstack.validation.existing_nodes import check_existing_nodes
from inferstack.validation.gateway import check_gateway
from inferstack.validation.gcp import check_gcp, check_tags
from inferstack.validation.karpenter import check_karpenter, warn_karpenter
from inferstack.validation.limits import (
    check_aws_tags,
    check_disk_sizes,
    check_gcp_label_count,
    check_log_retention,
    check_whitespace,
)
from inferstack.validation.models import check_model_fit, check_model_shapes, check_models, warn_tight_fit
from inferstack.validation.monitoring import check_monitoring
from inferstack.validation.names import check_derived_names
from inferstack.validation.network import check_network
from inferstack.validation.pools import check_node_pools, check_system_pool
from inferstack.validation.precision import check_context, check_precision
from inferstack.validation.protection import check_production_protection
from inferstack.validation.purchase import check_purchase, warn_purchase
from inferstack.validation.secrets import check_credentials
from inferstack.validation.serving import check_serving
from inferstack.validation.versions import check_versions, warn_versions

ALL_CHECKS: tuple[Check, ...] = (
    check_credentials,
    check_cloud_fields,
    check_region_and_zones,
    check_network,
    check_tags,
    check_whitespace,
    check_aws_tags,
    check_gcp_label_count,
    check_log_retention,
    check_disk_sizes,
    check_production_protection,
    check_system_pool,
    check_node_pools,
    check_purchase,
    check_compute_class,
    check_karpenter,
    check_existing_nodes,
    check_cold_start,
    check_models,
    check_engine_release,
    check_quantization_release,
    check_model_shapes,
    check_model_fit,
    check_adapters,
    check_context,
    check_precision,
    check_aws,
    check_gcp,
    check_serving,
    check_gateway,
    check_capacity,
    check_derived_names,
    check_versions,
    check_monitoring,
)

# A warning check reads the same checked spec and yields what will run, but not as its author may expect.
WarningCheck = Callable[[EnvironmentSpec], Iterable[SpecWarning]]
ALL_WARNINGS: tuple[WarningCheck, ...] = (
    warn_capacity,
    warn_purchase,
    warn_compute_class,
    warn_karpenter,
    warn_versions,
    warn_cpu_engine,
    warn_unstreamed_image,
    warn_fast_pull_on_root_volume,
    warn_tight_fit,
    warn_engine_release,
)


def check_environment(spec: EnvironmentSpec) -> list[SpecIssue]:
    """Run every cross-field rule and return all issues found (empty when the spec is valid)."""
    return sorted({issue for check in ALL_CHECKS for issue in check(spec)})


def warn_environment(spec: EnvironmentSpec) -> list[SpecWarning]:
    """Run every warning rule on a valid spec and return what it found (empty when there is nothing to say)."""
    return sorted({warning for check in ALL_WARNINGS for warning in check(spec)})
