"""Names derived from spec values: two entries that derive one resource name are refused, with both paths.

Each derivation is the very function the component names its resource with (planning/names.py), so this check
and the components cannot drift apart; a valid spec can then never reach the engine's duplicate-URN error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from inferstack.planning.names import autoscaler_tag_name, eks_admin_name, gke_admin_name
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.aws import IAM_PRINCIPAL_ARN
from inferstack.validation.common import field_path
from inferstack.validation.gcp import GCP_ADMIN_MEMBER

# Label keys inferstack sets on every GPU node itself (target.py POOL_LABEL, GPU_LABEL): a pool's own
# `labels` would overwrite them and the pool's pods would no longer be scheduled onto it.
RESERVED_LABEL_PREFIX = "inferstack.dev/"


def derived_name_clashes(
    entries: Sequence[tuple[str, str]], derive: Callable[[str], str], what: str, fix: str
) -> Iterable[SpecIssue]:
    """An issue for each (path, value) entry whose derived name an earlier entry already has."""
    first: dict[str, tuple[str, str]] = {}
    for path, value in entries:
        name = derive(value)
        if name not in first:
            first[name] = (path, value)
            continue
        earlier_path, earlier = first[name]
        if value == earlier:
            yield SpecIssue(path, f"{value} is listed twice (also at {earlier_path})", "list each admin once")
        else:
            yield SpecIssue(
                path,
                f"{value!r} and {earlier!r} (at {earlier_path}) both name the {what} {name!r}",
                fix,
            )


def check_derived_names(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Admins, and pool labels on AWS, derive distinct resource names; pool labels leave inferstack's own alone."""
    admins = [(field_path("cluster", "admins", i), admin) for i, admin in enumerate(spec.cluster.admins)]
    if spec.cloud == "aws":
        # Malformed ARNs are reported by check_aws; their derived name would mean nothing.
        valid = [(path, arn) for path, arn in admins if re.match(IAM_PRINCIPAL_ARN, arn)]
        yield from derived_name_clashes(
            valid,
            eks_admin_name,
            "EKS access entry",
            "list each principal once; two roles with one name (in another path or account) need one of them renamed",
        )
    if spec.cloud == "gcp":
        valid = [(path, member) for path, member in admins if re.match(GCP_ADMIN_MEMBER, member)]
        # GKE authenticates both member kinds by their email, case-insensitively: user:a@x and
        # serviceAccount:a@x, or A@x and a@x, are one Kubernetes user.
        yield from derived_name_clashes(
            valid,
            lambda member: gke_admin_name(member.lower()),
            "GKE admin",
            "list each email once (GKE knows a user and a service account by the email alone)",
        )
    for pool_key, pool in spec.node_pools.items():
        labels = [(field_path("node_pools", pool_key, "labels", key), key) for key in pool.labels]
        for path, key in labels:
            if key.startswith(RESERVED_LABEL_PREFIX):
                yield SpecIssue(path, f"{key} is set by inferstack on every GPU node", "use a label of your own")
        if spec.cloud == "aws":
            # Each label becomes an Auto Scaling group tag resource named after the key (aws/node_pool.py).
            yield from derived_name_clashes(
                labels,
                lambda key: autoscaler_tag_name(f"label/{key}"),
                "autoscaler node-template tag",
                "rename one label: keys that differ only in case or punctuation name one tag",
            )
