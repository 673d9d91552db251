"""Node pools: ordered bounds, catalog GPUs and types that match each other and are offered where they run."""

from __future__ import annotations

import re
from collections.abc import Iterable

from inferstack import catalog
from inferstack.planning.defaults import effective_zones, pool_instance_type, pool_zones
from inferstack.spec.base import AUTO
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.cloud import AWS_ZONE_NAME, zone_issue
from inferstack.validation.common import field_path, suggest


def check_system_pool(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """The system pool's bounds are ordered and its type is a CPU type offered in the region."""
    pool = spec.cluster.system_pool
    base = ("cluster", "system_pool")
    if pool.min > pool.max:
        yield SpecIssue(
            field_path(*base, "max"), f"must be ≥ min (got {pool.max} < {pool.min})", "raise max or lower min"
        )
    if spec.cloud == "kubernetes" or spec.region is None or pool.instance_type is None:
        return
    known = catalog.instance_types(spec.cloud)
    itype = known.get(pool.instance_type)
    if itype is None:
        yield SpecIssue(
            field_path(*base, "instance_type"),
            f"{pool.instance_type!r} is not in inferstack's catalog of {spec.cloud} types",
            suggest(pool.instance_type, [n for n, t in known.items() if t.gpu is None]),
        )
    elif itype.gpu is not None:
        yield SpecIssue(field_path(*base, "instance_type"), f"{pool.instance_type} has GPUs", "use a CPU type")
    elif spec.region not in itype.regions:
        yield SpecIssue(
            field_path(*base, "instance_type"),
            f"{pool.instance_type} is not offered in {spec.region}",
            f"offered in: {', '.join(sorted(itype.regions))}",
        )


def check_node_pools(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each pool's GPU and type exist in the catalog, match each other, and are offered where it runs."""
    gpus = catalog.gpus()
    for name, pool in spec.node_pools.items():
        if pool.min > pool.max:
            yield SpecIssue(
                field_path("node_pools", name, "max"),
                f"must be ≥ min (got {pool.max} < {pool.min})",
                "raise max or lower min",
            )
        if pool.gpu not in gpus:
            # An `auto` left here could not be chosen; the resolution already said why.
            if pool.gpu != AUTO:
                yield SpecIssue(
                    field_path("node_pools", name, "gpu"),
                    f"{pool.gpu!r} is not in inferstack's GPU catalog",
                    suggest(pool.gpu, gpus),
                )
            continue
        if spec.cloud == "kubernetes":
            continue  # a described pool has no zones or type (check_existing_nodes)
        env_zones = effective_zones(spec)
        for index, zone in enumerate(pool.zones or []):
            if zone in env_zones:
                continue
            path = field_path("node_pools", name, "zones", index)
            if spec.cloud == "aws" and spec.region is not None and re.match(AWS_ZONE_NAME, zone):
                yield zone_issue(spec, path, zone, env_zones)
            else:
                yield SpecIssue(
                    path,
                    f"zone {zone!r} is not one of the environment's zones",
                    f"use a subset of: {', '.join(env_zones)}",
                )
        if spec.region is None or spec.region not in catalog.regions(spec.cloud):
            continue
        yield from _check_pool_type(spec, name)


def _check_pool_type(spec: EnvironmentSpec, name: str) -> Iterable[SpecIssue]:
    pool = spec.node_pools[name]
    assert spec.cloud != "kubernetes" and spec.region is not None
    known = catalog.instance_types(spec.cloud)
    if pool.instance_type is not None:
        path = field_path("node_pools", name, "instance_type")
        itype = known.get(pool.instance_type)
        if itype is None:
            yield SpecIssue(
                path,
                f"{pool.instance_type!r} is not in inferstack's catalog of {spec.cloud} types",
                suggest(pool.instance_type, known),
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
        if counts:
            yield SpecIssue(
                field_path("node_pools", name, "gpus_per_node"),
                f"no {spec.cloud} type in {spec.region} has {pool.gpus_per_node}× {pool.gpu}",
                f"{pool.gpu} comes in {', '.join(map(str, counts))} per node in {spec.region}",
            )
        else:
            # The GPU or the region is what to change, so the issue names the gpu field and both ways out.
            here = sorted({t.gpu for t in known.values() if t.gpu is not None and spec.region in t.regions})
            where = sorted({r for t in known.values() if t.gpu == pool.gpu for r in t.regions})
            yield SpecIssue(
                field_path("node_pools", name, "gpu"),
                f"{pool.gpu} is not offered in {spec.region} (inferstack's catalog)",
                f"GPUs in {spec.region}: {', '.join(here) or 'none'}; or set region to one with {pool.gpu}: "
                f"{', '.join(where) or 'none in the catalog'}",
            )
        return
    type_name, itype = resolved
    offered = set(itype.regions[spec.region].zones)
    wanted = pool_zones(spec, pool)
    if wanted and not offered.intersection(wanted):
        yield SpecIssue(
            field_path("node_pools", name, "zones" if pool.zones is not None else "gpu"),
            f"{type_name} is offered in none of the zones {', '.join(wanted)}",
            f"use zones where it is offered: {', '.join(sorted(offered))}",
        )
