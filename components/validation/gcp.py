"""GCP specifics: tags that are valid labels, and cluster admins GKE can bind through RBAC."""

from __future__ import annotations

import re
from collections.abc import Iterable

from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path
from inferstack.validation.limits import gcp_label_patterns

# A GKE admin: a Google user or service account, bound to cluster-admin through Kubernetes RBAC.
GCP_ADMIN_MEMBER = r"^(user|serviceAccount):[^@\s:]+@[^@\s]+\.[a-z]+$"


def check_tags(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Tags must be valid GCP labels on GCP (AWS tags accept them as they are)."""
    if spec.cloud != "gcp":
        return
    key_syntax, value_syntax = gcp_label_patterns()
    for key, value in spec.tags.items():
        # fullmatch: `$` alone would let a trailing newline through, which GCP refuses.
        if not key_syntax.fullmatch(key) or not value_syntax.fullmatch(value):
            yield SpecIssue(
                field_path("tags", key),
                f"{key}={value!r} is not a valid GCP label",
                "use lowercase letters, digits, '-' and '_' (keys start with a letter, 63 characters at most)",
            )


def check_gcp(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """GKE specifics: cluster admins are IAM members GKE can bind through RBAC."""
    if spec.cloud != "gcp":
        return
    # Two admins that are one Kubernetes user (exact duplicates too) are refused by validation/names.py.
    for index, admin in enumerate(spec.cluster.admins):
        path = field_path("cluster", "admins", index)
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
