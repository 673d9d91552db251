"""Nothing lost in production: audit logs are protected like the data, and turning protection off is explicit."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.infra.offline.plan import Plan
from inferstack.infra.offline.stacks import plan_spec
from inferstack.spec import SpecError
from inferstack.validation import parse_environment
from tests.conftest import shipped_plan, shipped_stacks

LOG_TYPES = ("aws:cloudwatch/logGroup:LogGroup", "gcp:logging/projectBucketConfig:ProjectBucketConfig")
ACK_MESSAGE = (
    "environment.model_store.protect: is false in a production stack: a `pulumi destroy` or a replacement would "
    "delete the weights bucket and its encryption keys — remove protect: false (production protects them), or "
    "acknowledge it with model_store.unprotected_in_production: true"
)


def config(stack: str) -> dict[str, Any]:
    """A fresh copy of a shipped stack file's config mapping."""
    return copy.deepcopy(yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"])


def audit_logs(plan: Plan) -> list[Any]:
    """The log groups and log buckets of a plan, the access-log buckets of production included."""
    logs = [resource for kind in LOG_TYPES for resource in plan.of_type(kind)]
    buckets = plan.of_type("aws:s3/bucket:Bucket") + plan.of_type("gcp:storage/bucket:Bucket")
    return logs + [bucket for bucket in buckets if "access-logs" in bucket.name]


@pytest.mark.parametrize(
    ("stack", "count", "protected"),
    [("aws-dev", 2, False), ("aws-prod", 3, True), ("gcp-dev", 1, False), ("gcp-prod", 2, True)],
)
def test_audit_logs_are_protected_in_production_only(stack: str, count: int, protected: bool) -> None:
    logs = audit_logs(shipped_plan(stack))
    assert len(logs) == count  # EKS control-plane and flow-log groups; the GKE log bucket
    assert {resource.protect for resource in logs} == {protected}


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_production_without_protection_needs_the_acknowledgement(stack: str) -> None:
    doc = config(stack)["inferstack:environment"]
    doc["model_store"] = {**doc.get("model_store", {}), "protect": False}
    with pytest.raises(SpecError) as raised:
        parse_environment(doc, stack)
    assert [str(issue) for issue in raised.value.issues] == [ACK_MESSAGE]


def test_an_acknowledged_unprotected_store_still_keeps_the_audit_logs() -> None:
    whole = config("aws-prod")
    doc = whole["inferstack:environment"]
    doc["model_store"] = {**doc.get("model_store", {}), "protect": False, "unprotected_in_production": True}
    spec = parse_environment(doc, "aws-prod", whole)
    plan = plan_spec("aws-prod", spec)
    weights = [bucket for bucket in plan.of_type("aws:s3/bucket:Bucket") if "access-logs" not in bucket.name]
    assert weights and not any(resource.protect for resource in weights)
    assert {resource.protect for resource in audit_logs(plan)} == {True}


def test_protect_false_outside_production_needs_no_acknowledgement() -> None:
    doc = config("aws-dev")["inferstack:environment"]
    doc["model_store"] = {**doc.get("model_store", {}), "protect": False}
    assert parse_environment(doc, "aws-dev").model_store.protect is False
