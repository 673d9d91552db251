"""EKS specifics: pinned add-ons, IAM admins, NAT zones, node AMIs and reserved pool names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from inferstack.catalog.eks import eks_catalog, eks_release, gpu_ami_type
from inferstack.planning.defaults import effective_zones, pool_instance_type
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path

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
            field_path("cluster", "kubernetes_version"),
            f"no pinned EKS add-ons for Kubernetes {version}",
            f"use one of: {pinned} (or add it to components/catalog/data/aws_eks_addons.yaml)",
        )
    # Two admins that derive one access entry name (exact duplicates too) are refused by validation/names.py.
    for index, admin in enumerate(spec.cluster.admins):
        if not re.match(IAM_PRINCIPAL_ARN, admin):
            yield SpecIssue(
                field_path("cluster", "admins", index),
                f"{admin!r} is not an IAM role or user ARN",
                "use e.g. arn:aws:iam::123456789012:role/platform-admins",
            )
    if spec.network.nat == "per_zone" and len(effective_zones(spec)) < 2:
        yield SpecIssue(
            field_path("network", "nat"),
            f"per_zone NAT needs 2 or more zones (got {len(effective_zones(spec))})",
            "list more zones, or use nat: single",
        )
    for name, pool in spec.node_pools.items():
        if name == SYSTEM_POOL_KEY:
            yield SpecIssue(
                field_path("node_pools", name), "the name system is reserved for the CPU system pool", "rename the pool"
            )
        # Only for pools whose type resolves: an unknown or unoffered GPU is already reported elsewhere.
        if pool_instance_type(spec, pool) is not None and gpu_ami_type(pool.gpu) is None:
            yield SpecIssue(
                field_path("node_pools", name, "gpu"),
                f"no EKS node AMI type is recorded for {pool.gpu}",
                "pick another GPU, or add it to components/catalog/data/aws_eks_addons.yaml",
            )
