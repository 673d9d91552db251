"""Values the cloud would reject are refused offline, each with its YAML path, the problem and the fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.catalog.limits import limits
from inferstack.spec import SpecError
from inferstack.validation import load_stack_file, parse_environment
from inferstack.validation.limits import INFERSTACK_AWS_TAGS, INFERSTACK_GCP_LABELS, inferstack_aws_tags
from tests.conftest import shipped_plan, shipped_stacks

SPACE = "starts or ends with whitespace (a pasted newline or space); the cloud refuses or mismatches it"
SPACE_FIX = "remove the leading and trailing spaces and newlines"
RETENTION = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"


def document(stack: str) -> dict[str, Any]:
    """A fresh copy of a shipped stack's environment document."""
    data = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))
    return copy.deepcopy(data["config"]["inferstack:environment"])


def problems(doc: dict[str, Any]) -> list[str]:
    """Every issue of a document, as printed."""
    with pytest.raises(SpecError) as raised:
        parse_environment(doc, "dev")
    return [str(issue) for issue in raised.value.issues]


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-dev"])
def test_a_trailing_newline_in_a_tag_or_label_is_refused(stack: str) -> None:
    doc = document(stack)
    doc["tags"] = {"team": "ml-platform\n"}
    pool = next(iter(doc["node_pools"]))
    doc["node_pools"][pool]["labels"] = {"owner ": "ml"}
    found = problems(doc)
    assert f"environment.tags.team: the value {SPACE} — {SPACE_FIX}" in found
    assert f"environment.node_pools.{pool}.labels: the key 'owner' {SPACE} — {SPACE_FIX}" in found


def test_a_trailing_newline_in_an_admin_arn_is_refused() -> None:
    doc = document("aws-dev")
    doc["cluster"]["admins"] = ["arn:aws:iam::123456789012:role/platform-admins\n"]
    assert problems(doc) == [f"environment.cluster.admins[0]: the principal {SPACE} — {SPACE_FIX}"]


def test_an_aws_prefixed_tag_is_refused() -> None:
    doc = document("aws-dev")
    doc["tags"] = {"AWS:owner": "ml"}
    assert problems(doc) == [
        "environment.tags.AWS:owner: uses the aws: prefix, which AWS reserves for its own tags — rename it without aws:"
    ]


def test_too_many_aws_tags_are_refused_counting_inferstacks_own() -> None:
    doc = document("aws-dev")
    room = limits().aws.tags.max_per_resource - INFERSTACK_AWS_TAGS
    doc["tags"] = {f"t{i}": "x" for i in range(room)}
    parse_environment(doc, "dev")  # exactly full is fine
    doc["tags"]["one-more"] = "x"
    assert problems(doc) == [
        f"environment.tags: has {room + 1} tags; with the {INFERSTACK_AWS_TAGS} inferstack adds, a resource would "
        f"carry more than the 50 AWS allows — keep at most {room} tags"
    ]


def test_an_aws_tag_too_long_is_refused() -> None:
    doc = document("aws-dev")
    doc["tags"] = {"k" * 129: "x", "team": "v" * 257}
    assert problems(doc) == [
        f"environment.tags: a key is 129 characters long; AWS allows 128 — shorten the key starting {'k' * 20!r}",
        "environment.tags.team: is 257 characters long; AWS allows 256 — shorten the value",
    ]


def test_too_many_gcp_labels_are_refused() -> None:
    doc = document("gcp-dev")
    room = limits().gcp.labels.max_per_resource - INFERSTACK_GCP_LABELS
    doc["tags"] = {f"t{i}": "x" for i in range(room + 1)}
    assert problems(doc) == [
        f"environment.tags: has {room + 1} labels; with the 1 inferstack adds, a resource would carry more than the "
        f"64 GCP allows — keep at most {room} tags"
    ]


def test_a_gcp_label_with_a_trailing_newline_is_not_a_label() -> None:
    doc = document("gcp-dev")
    doc["tags"] = {"team": "ml\n"}
    assert (
        "environment.tags.team: team='ml\\n' is not a valid GCP label — use lowercase letters, digits, '-' and '_' "
        "(keys start with a letter, 63 characters at most)" in problems(doc)
    )


@pytest.mark.parametrize(("days", "nearest"), [(10, "7 or 14"), (100, "90 or 120"), (3000, "2922 or 3288")])
def test_a_retention_cloudwatch_does_not_take_is_refused(days: int, nearest: str) -> None:
    doc = document("aws-dev")
    doc["cluster"]["log_retention_days"] = days
    assert problems(doc) == [
        f"environment.cluster.log_retention_days: CloudWatch Logs does not accept a retention of {days} days — "
        f"use {nearest} (allowed: {RETENTION})"
    ]


def test_a_retention_cloud_logging_does_not_take_is_refused() -> None:
    doc = document("gcp-dev")
    doc["cluster"]["log_retention_days"] = 3653
    assert problems(doc) == [
        "environment.cluster.log_retention_days: Cloud Logging keeps logs 1 to 3650 days (got 3653) — use at most 3650"
    ]
    doc["cluster"]["log_retention_days"] = 100  # any day count in range
    parse_environment(doc, "dev")


@pytest.mark.parametrize(
    ("stack", "size", "message"),
    [
        ("aws-dev", 16385, "an EBS gp3 volume is 1 to 16384 GiB (got 16385)"),
        ("gcp-dev", 9, "a GKE node boot disk is 10 to 65536 GiB (got 9)"),
    ],
)
def test_a_disk_size_outside_the_volume_types_range_is_refused(stack: str, size: int, message: str) -> None:
    doc = document(stack)
    pool = next(iter(doc["node_pools"]))
    doc["node_pools"][pool]["disk_gib"] = size
    bounds = message.split(" is ")[1].split(" GiB")[0]
    assert problems(doc) == [
        f"environment.node_pools.{pool}.disk_gib: {message} — choose a size from {bounds}, or leave it out for the "
        "default"
    ]


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_shipped_stack_is_within_the_limits(stack: str) -> None:
    assert load_stack_file(shipped_stacks()[stack]).name


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_inferstack_adds_at_most_the_counted_tags_to_an_aws_resource(stack: str) -> None:
    spec = load_stack_file(shipped_stacks()[stack])
    added = [
        len(set(resource.inputs["tags"]) - set(spec.tags))
        for resource in shipped_plan(stack).resources
        if isinstance(resource.inputs.get("tags"), dict)
    ]
    assert max(added) == inferstack_aws_tags(spec)


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_inferstack_adds_at_most_the_counted_labels_to_a_gcp_resource(stack: str) -> None:
    spec = load_stack_file(shipped_stacks()[stack])
    added = [
        len(set(resource.inputs[field]) - set(spec.tags))
        for resource in shipped_plan(stack).resources
        for field in ("labels", "resourceLabels")
        if isinstance(resource.inputs.get(field), dict) and resource.type.startswith("gcp:")
    ]
    assert max(added) == INFERSTACK_GCP_LABELS
