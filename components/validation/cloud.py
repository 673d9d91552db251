"""Cloud-specific fields, region and zones: what each cloud accepts and where it runs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from inferstack import catalog
from inferstack.planning.defaults import effective_zones
from inferstack.spec.cluster_parts import PROVISIONER_CLOUD
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path, suggest

# An AWS zone name (us-east-2a, ap-southeast-1b), not the zone ID (use2-az1) inferstack uses.
AWS_ZONE_NAME = r"^[a-z]{2}(-[a-z]+)+-\d+[a-z]$"


def check_cloud_fields(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Fields that belong to one cloud only are rejected on the others."""
    cluster_set = spec.cluster.model_fields_set
    if spec.cloud != "gcp":
        for field in ("release_channel", "location", "binary_authorization", "rbac_group_domain"):
            if field in cluster_set:
                yield SpecIssue(
                    field_path("cluster", field), f"applies to GCP only (cloud is {spec.cloud})", "remove it"
                )
    if spec.cloud != "aws" and "upgrade_policy" in cluster_set:
        yield SpecIssue(
            field_path("cluster", "upgrade_policy"),
            f"applies to AWS only (cloud is {spec.cloud})",
            "remove it (on GCP, cluster.release_channel decides upgrades)",
        )
    if spec.cloud != "aws" and spec.network.nat == "per_zone":
        yield SpecIssue(field_path("network", "nat"), "per_zone NAT applies to AWS only", "use nat: single")
    provisioner = spec.cluster.provisioner
    if spec.cloud == "kubernetes" and provisioner is not None:
        yield SpecIssue(
            field_path("cluster", "provisioner"),
            "an existing cluster's nodes are not created by inferstack",
            "remove it (describe GPU nodes with node_pools.<key>.existing)",
        )
    elif provisioner in PROVISIONER_CLOUD and PROVISIONER_CLOUD[provisioner] != spec.cloud:
        yield SpecIssue(
            field_path("cluster", "provisioner"),
            f"{provisioner} runs on {PROVISIONER_CLOUD[provisioner]} only (cloud is {spec.cloud})",
            "use managed_pools (karpenter is for aws, compute_class for gcp)",
        )
    for field in ("kubeconfig_context", "architecture", "device_plugin"):
        if spec.cloud != "kubernetes" and field in cluster_set:
            yield SpecIssue(field_path("cluster", field), "applies to cloud: kubernetes only", "remove it")
    if spec.cloud == "kubernetes":
        if spec.region is not None or spec.zones is not None:
            field = "region" if spec.region is not None else "zones"
            yield SpecIssue(field_path(field), "an existing cluster has no region or zones here", "remove it")
        # Only an explicit `bucket: true`: the default (true) means "the cloud's bucket", and an existing cluster has
        # none, so a kubernetes stack that leaves it out reads its weights from the local cache volume.
        if spec.model_store.bucket and "bucket" in spec.model_store.model_fields_set:
            yield SpecIssue(
                field_path("model_store", "bucket"),
                "cloud: kubernetes creates no cloud bucket",
                "set model_store.bucket: false",
            )
        if "network" in spec.model_fields_set:
            yield SpecIssue(field_path("network"), "cloud: kubernetes creates no network", "remove it")


def check_region_and_zones(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """The region is known for the cloud, its zones belong to it, and there are enough of them."""
    if spec.cloud == "kubernetes":
        return
    if spec.region is None:
        yield SpecIssue(field_path("region"), f"is required for cloud: {spec.cloud}", "name a region, e.g. us-east-1")
        return
    known = catalog.regions(spec.cloud)
    region = known.get(spec.region)
    if region is None:
        yield SpecIssue(
            field_path("region"),
            f"{spec.region!r} is not in inferstack's catalog of {spec.cloud} regions",
            f"{suggest(spec.region, known)} (or add it to components/catalog/data)",
        )
        return
    zones = effective_zones(spec)
    for index, zone in enumerate(zones):
        if zone not in region.zones:
            yield zone_issue(spec, field_path("zones", index), zone, list(region.zones))
    if len(set(zones)) != len(zones):
        yield SpecIssue(field_path("zones"), "lists a zone twice", "list each zone once")
    if spec.cloud == "aws" and len(zones) < 2:
        yield SpecIssue(
            field_path("zones"),
            f"EKS needs subnets in at least 2 zones (got {len(zones)})",
            f"list 2 or more zones of {spec.region}",
        )
    if spec.cloud == "gcp" and spec.cluster.location == "zonal" and len(zones) != 1:
        yield SpecIssue(
            field_path("zones"), f"a zonal GKE cluster uses exactly 1 zone (got {len(zones)})", "list one zone"
        )


def zone_issue(spec: EnvironmentSpec, path: str, zone: str, allowed: list[str]) -> SpecIssue:
    """Why a zone cannot be used here: an AWS zone name, a zone of another region, or one the catalog lacks."""
    assert spec.region is not None
    use = f"use zones of {spec.region}: {', '.join(allowed)}"
    if spec.cloud == "aws" and re.match(AWS_ZONE_NAME, zone):
        return SpecIssue(
            path,
            f"{zone!r} is a zone name; inferstack uses AWS zone IDs (like {allowed[0]}) because AWS maps zone "
            "names to different physical zones in every account",
            f"{use} (`aws ec2 describe-availability-zones --region {spec.region}` shows which ID each name is "
            "in your account)",
        )
    assert spec.cloud != "kubernetes"
    elsewhere = [name for name, region in catalog.regions(spec.cloud).items() if zone in region.zones]
    if elsewhere:
        return SpecIssue(path, f"zone {zone!r} is in {elsewhere[0]}, not in {spec.region}", use)
    return SpecIssue(path, f"zone {zone!r} is not in inferstack's catalog of {spec.region} zones", use)
