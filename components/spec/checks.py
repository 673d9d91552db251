"""Cross-field rules of the environment spec: every problem is collected, none stops the others.

Each check reads a field-valid `EnvironmentSpec` and returns issues; `check_environment` runs them all.
Nothing here calls a cloud API: regions, zones and types come from the static catalog.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from ipaddress import IPv4Network

from inferstack import catalog
from inferstack.catalog.eks import eks_catalog, eks_release, gpu_ami_type

# A module import (not names): planning.capacity reads spec models, so either side may be imported first.
from inferstack.planning import capacity
from inferstack.planning.subnets import SubnetPlanError, plan_cluster_ranges, plan_zone_subnets
from inferstack.spec.errors import SpecIssue, join_path
from inferstack.spec.models import EnvironmentSpec
from inferstack.spec.resolve import effective_zones, pool_instance_type, pool_zones, zone_slots

ROOT = "environment"
# RFC 1918: the only ranges a VPC or Service CIDR may use.
PRIVATE_RANGES = tuple(IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# Broader than a /8 is "the internet" in all but name.
BROADEST_CLIENT_PREFIX = 8
GCP_LABEL_KEY = r"^[a-z][a-z0-9_-]{0,62}$"
GCP_LABEL_VALUE = r"^[a-z0-9_-]{0,63}$"

Check = Callable[[EnvironmentSpec], Iterable[SpecIssue]]


def _path(*parts: str | int) -> str:
    return join_path(ROOT, *parts)


def _suggest(value: str, choices: Iterable[str]) -> str:
    options = sorted(choices)
    close = difflib.get_close_matches(value, options, n=3)
    if close:
        return f"did you mean {', '.join(close)}?"
    return (
        f"choose one of: {', '.join(options)}"
        if len(options) <= 12
        else f"see `inferstack catalog` ({len(options)} known)"
    )


def _is_private(network: IPv4Network) -> bool:
    return any(network.subnet_of(block) for block in PRIVATE_RANGES)


def check_cloud_fields(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Fields that belong to one cloud only are rejected on the others."""
    cluster_set = spec.cluster.model_fields_set
    if spec.cloud != "gcp":
        for field in ("release_channel", "location"):
            if field in cluster_set:
                yield SpecIssue(_path("cluster", field), f"applies to GCP only (cloud is {spec.cloud})", "remove it")
    if spec.cloud != "aws" and spec.network.nat == "per_zone":
        yield SpecIssue(_path("network", "nat"), "per_zone NAT applies to AWS only", "use nat: single")
    if spec.cloud != "kubernetes" and "kubeconfig_context" in cluster_set:
        yield SpecIssue(_path("cluster", "kubeconfig_context"), "applies to cloud: kubernetes only", "remove it")
    if spec.cloud == "kubernetes":
        if spec.region is not None or spec.zones is not None:
            field = "region" if spec.region is not None else "zones"
            yield SpecIssue(_path(field), "an existing cluster has no region or zones here", "remove it")
        if spec.node_pools:
            yield SpecIssue(
                _path("node_pools"),
                "cloud: kubernetes does not manage node pools yet",
                "remove node_pools and run models with engine: vllm-cpu",
            )
        if spec.model_store.bucket:
            yield SpecIssue(
                _path("model_store", "bucket"),
                "cloud: kubernetes creates no cloud bucket",
                "set model_store.bucket: false",
            )
        if "network" in spec.model_fields_set:
            yield SpecIssue(_path("network"), "cloud: kubernetes creates no network", "remove it")


def check_region_and_zones(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """The region is known for the cloud, its zones belong to it, and there are enough of them."""
    if spec.cloud == "kubernetes":
        return
    if spec.region is None:
        yield SpecIssue(_path("region"), f"is required for cloud: {spec.cloud}", "name a region, e.g. us-east-1")
        return
    known = catalog.regions(spec.cloud)
    region = known.get(spec.region)
    if region is None:
        yield SpecIssue(_path("region"), f"unknown {spec.cloud} region {spec.region!r}", _suggest(spec.region, known))
        return
    zones = effective_zones(spec)
    for index, zone in enumerate(zones):
        if zone not in region.zones:
            yield SpecIssue(
                _path("zones", index),
                f"zone {zone!r} is not in region {spec.region}",
                f"use zones of {spec.region}: {', '.join(region.zones)}",
            )
    if len(set(zones)) != len(zones):
        yield SpecIssue(_path("zones"), "lists a zone twice", "list each zone once")
    if spec.cloud == "aws" and len(zones) < 2:
        yield SpecIssue(
            _path("zones"),
            f"EKS needs subnets in at least 2 zones (got {len(zones)})",
            f"list 2 or more zones of {spec.region}",
        )
    if spec.cloud == "gcp" and spec.cluster.location == "zonal" and len(zones) != 1:
        yield SpecIssue(_path("zones"), f"a zonal GKE cluster uses exactly 1 zone (got {len(zones)})", "list one zone")


def check_network(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """CIDRs are private, do not overlap, fit the zones; API access is narrow and allowed by the profile."""
    if spec.cloud == "kubernetes":
        return
    net = spec.network
    if not _is_private(net.cidr):
        yield SpecIssue(_path("network", "cidr"), f"{net.cidr} is not a private range", "use a range in 10.0.0.0/8")
    if not _is_private(net.services_cidr):
        yield SpecIssue(
            _path("network", "services_cidr"),
            f"{net.services_cidr} is not a private range",
            "use a range in 172.16.0.0/12",
        )
    if net.cidr.overlaps(net.services_cidr):
        yield SpecIssue(
            _path("network", "services_cidr"),
            f"{net.services_cidr} overlaps the VPC range {net.cidr}",
            "pick a range outside network.cidr, e.g. 172.20.0.0/16",
        )
    try:
        if spec.cloud == "aws":
            slots = zone_slots(spec)
            if slots:
                plan_zone_subnets(net.cidr, slots)
        else:
            plan_cluster_ranges(net.cidr)
    except SubnetPlanError as exc:
        yield SpecIssue(_path("network", "cidr"), str(exc))
    for index, client in enumerate(net.api_access):
        if client.prefixlen < BROADEST_CLIENT_PREFIX:
            yield SpecIssue(
                _path("network", "api_access", index),
                f"{client} opens the API to (almost) the whole internet",
                f"list the narrow CIDRs of your offices or CI runners (/{BROADEST_CLIENT_PREFIX} or narrower)",
            )
    if spec.security_profile == "private" and net.api_access:
        yield SpecIssue(
            _path("network", "api_access"),
            "the private profile has no public API endpoint",
            "remove api_access, or use security_profile: standard",
        )


def check_tags(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Tags must be valid GCP labels on GCP (AWS tags accept them as they are)."""
    if spec.cloud != "gcp":
        return
    for key, value in spec.tags.items():
        if not re.match(GCP_LABEL_KEY, key) or not re.match(GCP_LABEL_VALUE, value):
            yield SpecIssue(
                _path("tags", key),
                f"{key}={value!r} is not a valid GCP label",
                "use lowercase letters, digits, '-' and '_' (keys start with a letter, 63 characters at most)",
            )


def check_system_pool(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """The system pool's bounds are ordered and its type is a CPU type offered in the region."""
    pool = spec.cluster.system_pool
    base = ("cluster", "system_pool")
    if pool.min > pool.max:
        yield SpecIssue(_path(*base, "max"), f"must be ≥ min (got {pool.max} < {pool.min})", "raise max or lower min")
    if spec.cloud == "kubernetes" or spec.region is None or pool.instance_type is None:
        return
    known = catalog.instance_types(spec.cloud)
    itype = known.get(pool.instance_type)
    if itype is None:
        yield SpecIssue(
            _path(*base, "instance_type"),
            f"unknown {spec.cloud} type {pool.instance_type!r}",
            _suggest(pool.instance_type, [n for n, t in known.items() if t.gpu is None]),
        )
    elif itype.gpu is not None:
        yield SpecIssue(_path(*base, "instance_type"), f"{pool.instance_type} has GPUs", "use a CPU type")
    elif spec.region not in itype.regions:
        yield SpecIssue(
            _path(*base, "instance_type"),
            f"{pool.instance_type} is not offered in {spec.region}",
            f"offered in: {', '.join(sorted(itype.regions))}",
        )


def check_node_pools(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each pool's GPU and type exist in the catalog, match each other, and are offered where it runs."""
    gpus = catalog.gpus()
    for name, pool in spec.node_pools.items():
        if pool.min > pool.max:
            yield SpecIssue(
                _path("node_pools", name, "max"),
                f"must be ≥ min (got {pool.max} < {pool.min})",
                "raise max or lower min",
            )
        if pool.gpu not in gpus:
            # An `auto` left here could not be chosen; the resolution already said why.
            if pool.gpu != "auto":
                yield SpecIssue(_path("node_pools", name, "gpu"), f"unknown GPU {pool.gpu!r}", _suggest(pool.gpu, gpus))
            continue
        env_zones = effective_zones(spec)
        for index, zone in enumerate(pool.zones or []):
            if zone not in env_zones:
                yield SpecIssue(
                    _path("node_pools", name, "zones", index),
                    f"zone {zone!r} is not one of the environment's zones",
                    f"use a subset of: {', '.join(env_zones)}",
                )
        if spec.cloud == "kubernetes" or spec.region is None or spec.region not in catalog.regions(spec.cloud):
            continue
        yield from _check_pool_type(spec, name)


def _check_pool_type(spec: EnvironmentSpec, name: str) -> Iterable[SpecIssue]:
    pool = spec.node_pools[name]
    assert spec.cloud != "kubernetes" and spec.region is not None
    known = catalog.instance_types(spec.cloud)
    if pool.instance_type is not None:
        path = _path("node_pools", name, "instance_type")
        itype = known.get(pool.instance_type)
        if itype is None:
            yield SpecIssue(
                path, f"unknown {spec.cloud} type {pool.instance_type!r}", _suggest(pool.instance_type, known)
            )
            return
        if itype.gpu != pool.gpu or itype.gpus != pool.gpus_per_node:
            yield SpecIssue(
                path,
                f"{pool.instance_type} has {itype.gpus}× {itype.gpu}, the pool asks for "
                f"{pool.gpus_per_node}× {pool.gpu}",
                "make gpu and gpus_per_node match the type, or drop instance_type",
            )
            return
        if spec.region not in itype.regions:
            yield SpecIssue(
                path,
                f"{pool.instance_type} is not offered in {spec.region}",
                f"offered in: {', '.join(sorted(itype.regions))}",
            )
            return
    resolved = pool_instance_type(spec, pool)
    if resolved is None:
        counts = sorted({t.gpus for t in known.values() if t.gpu == pool.gpu and spec.region in t.regions})
        fix = (
            f"{pool.gpu} comes in {', '.join(map(str, counts))} per node in {spec.region}"
            if counts
            else f"{pool.gpu} is not offered in {spec.region}: pick another GPU or region"
        )
        yield SpecIssue(
            _path("node_pools", name, "gpus_per_node"),
            f"no {spec.cloud} type in {spec.region} has {pool.gpus_per_node}× {pool.gpu}",
            fix,
        )
        return
    type_name, itype = resolved
    offered = set(itype.regions[spec.region].zones)
    wanted = pool_zones(spec, pool)
    if wanted and not offered.intersection(wanted):
        yield SpecIssue(
            _path("node_pools", name, "zones" if pool.zones is not None else "gpu"),
            f"{type_name} is offered in none of the zones {', '.join(wanted)}",
            f"use zones where it is offered: {', '.join(sorted(offered))}",
        )


def check_models(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each model runs on an existing pool with an engine that fits it, and its numbers are consistent."""
    for name, model in spec.models.items():
        base = ("models", name)
        if model.replicas.min > model.replicas.max:
            yield SpecIssue(
                _path(*base, "replicas", "max"),
                f"must be ≥ min (got {model.replicas.max} < {model.replicas.min})",
                "raise max or lower min",
            )
        if model.image is not None and model.image.rsplit("/", 1)[-1].endswith(":latest"):
            yield SpecIssue(_path(*base, "image"), "the tag latest is not pinned", "use a version tag or a digest")
        if spec.cloud == "kubernetes":
            if model.engine != "vllm-cpu":
                yield SpecIssue(
                    _path(*base, "engine"),
                    f"{model.engine} needs a GPU pool, which cloud: kubernetes does not manage yet",
                    "use engine: vllm-cpu",
                )
            if model.pool is not None:
                yield SpecIssue(_path(*base, "pool"), "cloud: kubernetes has no node pools", "remove it")
            if model.tensor_parallel != 1:
                yield SpecIssue(_path(*base, "tensor_parallel"), "the CPU engine runs on one device", "use 1")
            continue
        if model.engine == "vllm-cpu":
            yield SpecIssue(
                _path(*base, "engine"), "vllm-cpu is for cloud: kubernetes", "use engine: vllm on a GPU pool"
            )
        if model.pool is None:
            yield SpecIssue(
                _path(*base, "pool"),
                "is required: name the node pool that runs the model",
                _suggest("", spec.node_pools) if spec.node_pools else "add a node pool under node_pools",
            )
            continue
        pool = spec.node_pools.get(model.pool)
        if pool is None:
            yield SpecIssue(
                _path(*base, "pool"),
                f"no node pool named {model.pool!r}",
                _suggest(model.pool, spec.node_pools) if spec.node_pools else "add it under node_pools",
            )
            continue
        tp = model.tensor_parallel
        if tp > pool.gpus_per_node or pool.gpus_per_node % tp:
            yield SpecIssue(
                _path(*base, "tensor_parallel"),
                f"{tp} does not divide the {pool.gpus_per_node} GPUs per node of pool {model.pool}",
                "use a divisor of gpus_per_node, or a pool with more GPUs per node",
            )


# An EKS access entry principal: an IAM role or user ARN (any partition).
IAM_PRINCIPAL_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$"
# The CPU system pool's resource names use this key; a GPU pool of the same name would collide with it.
SYSTEM_POOL_KEY = "system"


def check_aws(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """EKS specifics: pinned add-ons for the version, IAM admin ARNs, NAT zones, AMI per GPU, reserved names."""
    if spec.cloud != "aws":
        return
    version = spec.cluster.kubernetes_version
    if eks_release(version) is None:
        pinned = ", ".join(sorted(eks_catalog().kubernetes_versions))
        yield SpecIssue(
            _path("cluster", "kubernetes_version"),
            f"no pinned EKS add-ons for Kubernetes {version}",
            f"use one of: {pinned} (or add it to components/catalog/data/aws_eks_addons.yaml)",
        )
    seen: set[str] = set()
    for index, admin in enumerate(spec.cluster.admins):
        if not re.match(IAM_PRINCIPAL_ARN, admin):
            yield SpecIssue(
                _path("cluster", "admins", index),
                f"{admin!r} is not an IAM role or user ARN",
                "use e.g. arn:aws:iam::123456789012:role/platform-admins",
            )
        elif admin in seen:
            yield SpecIssue(_path("cluster", "admins", index), f"{admin} is listed twice", "list each admin once")
        seen.add(admin)
    if spec.network.nat == "per_zone" and len(effective_zones(spec)) < 2:
        yield SpecIssue(
            _path("network", "nat"),
            f"per_zone NAT needs 2 or more zones (got {len(effective_zones(spec))})",
            "list more zones, or use nat: single",
        )
    for name, pool in spec.node_pools.items():
        if name == SYSTEM_POOL_KEY:
            yield SpecIssue(
                _path("node_pools", name), "the name system is reserved for the CPU system pool", "rename the pool"
            )
        # Only for pools whose type resolves: an unknown or unoffered GPU is already reported elsewhere.
        if pool_instance_type(spec, pool) is not None and gpu_ami_type(pool.gpu) is None:
            yield SpecIssue(
                _path("node_pools", name, "gpu"),
                f"no EKS node AMI type is recorded for {pool.gpu}",
                "pick another GPU, or add it to components/catalog/data/aws_eks_addons.yaml",
            )


def check_model_fit(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each GPU model fits its pool: weights, one full-length sequence's KV cache and the runtime."""
    for name, model in spec.models.items():
        try:
            result = capacity.spec_model_fit(spec, name)
        except capacity.UnknownShape:
            yield SpecIssue(
                _path("models", name, "shape"),
                f"unknown model shape {model.shape!r}",
                _suggest(str(model.shape), catalog.model_shapes()),
            )
            continue
        if result is not None and not result.fit.fits:
            problem, fix = capacity.fit_message(result)
            yield SpecIssue(_path("models", name), problem, fix)


# A GKE admin: a Google user or service account, bound to cluster-admin through Kubernetes RBAC.
GCP_ADMIN_MEMBER = r"^(user|serviceAccount):[^@\s:]+@[^@\s]+\.[a-z]+$"


def check_gcp(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """GKE specifics: cluster admins are IAM members GKE can bind through RBAC."""
    if spec.cloud != "gcp":
        return
    seen: set[str] = set()
    for index, admin in enumerate(spec.cluster.admins):
        path = _path("cluster", "admins", index)
        if admin.startswith("group:"):
            yield SpecIssue(
                path,
                f"{admin!r}: Google Groups need Google Groups for RBAC set up on the domain",
                "list the members as user:<email> or serviceAccount:<email>",
            )
        elif not re.match(GCP_ADMIN_MEMBER, admin):
            yield SpecIssue(
                path, f"{admin!r} is not a GCP IAM member", "use user:alice@example.com or serviceAccount:<email>"
            )
        elif admin in seen:
            yield SpecIssue(path, f"{admin} is listed twice", "list each admin once")
        seen.add(admin)


# serving_namespace("staging") would be the staging namespace itself (components/planning/names.py).
RESERVED_MODEL_KEYS = {"staging": "its namespace llm-staging is the model-staging namespace"}


def check_serving(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Model keys do not collide with the workload's own names; a public load balancer lists its clients."""
    for name, model in spec.models.items():
        if name in RESERVED_MODEL_KEYS:
            yield SpecIssue(
                _path("models", name), f"the key {name} is reserved: {RESERVED_MODEL_KEYS[name]}", "rename it"
            )
        lb = model.load_balancer
        if lb is None or lb.internal:
            continue
        if not lb.source_ranges:
            yield SpecIssue(
                _path("models", name, "load_balancer", "source_ranges"),
                "a public load balancer with no source ranges is open to the whole internet",
                "list your clients' CIDRs, or set internal: true",
            )
        for index, cidr in enumerate(lb.source_ranges):
            if cidr.prefixlen < BROADEST_CLIENT_PREFIX:
                yield SpecIssue(
                    _path("models", name, "load_balancer", "source_ranges", index),
                    f"{cidr} opens the model to (almost) the whole internet",
                    f"list narrow client CIDRs (/{BROADEST_CLIENT_PREFIX} or narrower)",
                )


ALL_CHECKS: tuple[Check, ...] = (
    check_cloud_fields,
    check_region_and_zones,
    check_network,
    check_tags,
    check_system_pool,
    check_node_pools,
    check_models,
    check_model_fit,
    check_aws,
    check_gcp,
    check_serving,
)


def check_environment(spec: EnvironmentSpec) -> list[SpecIssue]:
    """Run every cross-field rule and return all issues found (empty when the spec is valid)."""
    return sorted({issue for check in ALL_CHECKS for issue in check(spec)})
