"""Values the cloud would reject at apply time, refused offline: stray whitespace, tag and label limits, log
retention the log service does not take, disk sizes outside the volume type's range.

The limits are facts in catalog/data/limits.yaml (each with its source); the checks only compare.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping

from inferstack.catalog.limits import limits
from inferstack.planning.defaults import PRODUCTION_LOG_RETENTION_DAYS, log_retention_days
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path

# The most tags inferstack adds to one AWS resource beside the stack's own (a subnet: Name, the environment and
# tier tags, the cluster and load-balancer role tags); tests/validation/test_limits.py measures it on the plans.
INFERSTACK_AWS_TAGS = 5
# Under cluster.provisioner: karpenter the private subnets also carry karpenter.sh/discovery.
KARPENTER_AWS_TAGS = 1
# The one label inferstack adds to every GCP resource (gcp/plan/labels.py).
INFERSTACK_GCP_LABELS = 1


def _stray_space(text: str) -> bool:
    return text != text.strip()


def _whitespace_issue(path: str, what: str) -> SpecIssue:
    return SpecIssue(
        path,
        f"{what} starts or ends with whitespace (a pasted newline or space); the cloud refuses or mismatches it",
        "remove the leading and trailing spaces and newlines",
    )


def _mapping_whitespace(values: Mapping[str, str], *parts: str) -> Iterable[SpecIssue]:
    for key, value in values.items():
        if _stray_space(key):
            yield _whitespace_issue(field_path(*parts), f"the key {key.strip()!r}")
        elif _stray_space(value):
            yield _whitespace_issue(field_path(*parts, key), "the value")


def check_whitespace(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Tags, pool labels, admin ARNs and names carry no leading or trailing whitespace (YAML keeps a pasted one)."""
    yield from _mapping_whitespace(spec.tags, "tags")
    for name, pool in spec.node_pools.items():
        yield from _mapping_whitespace(pool.labels, "node_pools", name, "labels")
    for index, admin in enumerate(spec.cluster.admins):
        if _stray_space(admin):
            yield _whitespace_issue(field_path("cluster", "admins", index), "the principal")
    if spec.cluster.kubeconfig_context is not None and _stray_space(spec.cluster.kubeconfig_context):
        yield _whitespace_issue(field_path("cluster", "kubeconfig_context"), "the context name")
    for key, model in spec.models.items():
        if model.served_name is not None and _stray_space(model.served_name):
            yield _whitespace_issue(field_path("models", key, "served_name"), "the served name")


def inferstack_aws_tags(spec: EnvironmentSpec) -> int:
    """The most tags inferstack adds to one AWS resource of this stack beside the stack's own."""
    return INFERSTACK_AWS_TAGS + (KARPENTER_AWS_TAGS if spec.cluster.provisioner == "karpenter" else 0)


def check_aws_tags(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """AWS tags: not too many with inferstack's own, keys and values within length, no reserved `aws:` prefix."""
    if spec.cloud != "aws":
        return
    rules = limits().aws.tags
    added = inferstack_aws_tags(spec)
    room = rules.max_per_resource - added
    if len(spec.tags) > room:
        yield SpecIssue(
            field_path("tags"),
            f"has {len(spec.tags)} tags; with the {added} inferstack adds, a resource would carry more "
            f"than the {rules.max_per_resource} AWS allows",
            f"keep at most {room} tags",
        )
    prefix = rules.reserved_prefix
    for key, value in spec.tags.items():
        path = field_path("tags", key)
        if key.lower().startswith(prefix) or value.lower().startswith(prefix):
            yield SpecIssue(
                path, f"uses the {prefix} prefix, which AWS reserves for its own tags", f"rename it without {prefix}"
            )
        if len(key) > rules.key_max_chars:
            yield SpecIssue(
                field_path("tags"),
                f"a key is {len(key)} characters long; AWS allows {rules.key_max_chars}",
                f"shorten the key starting {key[:20]!r}",
            )
        if len(value) > rules.value_max_chars:
            yield SpecIssue(
                path, f"is {len(value)} characters long; AWS allows {rules.value_max_chars}", "shorten the value"
            )


def check_gcp_label_count(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """GCP: the stack's labels and inferstack's own fit on one resource."""
    if spec.cloud != "gcp":
        return
    most = limits().gcp.labels.max_per_resource
    room = most - INFERSTACK_GCP_LABELS
    if len(spec.tags) > room:
        yield SpecIssue(
            field_path("tags"),
            f"has {len(spec.tags)} labels; with the {INFERSTACK_GCP_LABELS} inferstack adds, a resource would carry "
            f"more than the {most} GCP allows",
            f"keep at most {room} tags",
        )


def _nearest(allowed: tuple[int, ...], value: int) -> str:
    ordered = sorted(allowed)
    at = bisect.bisect_left(ordered, value)
    near = ordered[max(at - 1, 0) : at + 1]
    return " or ".join(str(day) for day in near)


def check_log_retention(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Log retention the cloud's log service accepts (CloudWatch: a fixed list; Cloud Logging: a range)."""
    days = log_retention_days(spec)
    path = field_path("cluster", "log_retention_days")
    if spec.production and days < PRODUCTION_LOG_RETENTION_DAYS and spec.cloud != "kubernetes":
        yield SpecIssue(
            path,
            f"a production stack keeps its logs at least {PRODUCTION_LOG_RETENTION_DAYS} days (got {days})",
            f"use {PRODUCTION_LOG_RETENTION_DAYS} or more, or leave it out (the production default is "
            f"{PRODUCTION_LOG_RETENTION_DAYS})",
        )
    if spec.cloud == "aws":
        allowed = limits().aws.log_retention_days.allowed
        if days not in allowed:
            yield SpecIssue(
                path,
                f"CloudWatch Logs does not accept a retention of {days} days",
                f"use {_nearest(allowed, days)} (allowed: {', '.join(map(str, allowed))})",
            )
    elif spec.cloud == "gcp":
        bounds = limits().gcp.log_retention_days
        if not bounds.min <= days <= bounds.max:
            yield SpecIssue(
                path,
                f"Cloud Logging keeps logs {bounds.min} to {bounds.max} days (got {days})",
                f"use at most {bounds.max}",
            )


def check_disk_sizes(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """An explicit node root disk size is one the cloud's volume type takes (gp3 on AWS, pd-balanced on GCP)."""
    if spec.cloud == "aws":
        bounds, kind = limits().aws.root_volume_gib, "an EBS gp3 volume"
    elif spec.cloud == "gcp":
        bounds, kind = limits().gcp.root_volume_gib, "a GKE node boot disk"
    else:
        return
    for name, pool in spec.node_pools.items():
        size = pool.disk_gib
        if size is not None and not bounds.min <= size <= bounds.max:
            yield SpecIssue(
                field_path("node_pools", name, "disk_gib"),
                f"{kind} is {bounds.min} to {bounds.max} GiB (got {size})",
                f"choose a size from {bounds.min} to {bounds.max}, or leave it out for the default",
            )


def gcp_label_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The GCP label key and value syntax, compiled from the catalog."""
    rules = limits().gcp.labels
    return re.compile(rules.key_pattern), re.compile(rules.value_pattern)
