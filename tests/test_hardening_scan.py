"""Our own outside scanner: every shipped stack's Plan read the way checkov reads a Terraform plan.

It checks the Plan's resources directly (not through the policy pack, which could regress with them), one property
per hardening item of issue 14.6, and fails if one regresses. Production-only items are asserted on the production
stacks and shown to be off (or shorter) on the development ones, so the test also notices a property turned on by
accident where it costs money.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from inferstack.infra.offline.plan import Plan, PlannedResource
from tests.conftest import shipped_plan, shipped_stacks

AWS_STACKS = sorted(s for s in shipped_stacks() if s.startswith("aws-"))
GCP_STACKS = sorted(s for s in shipped_stacks() if s.startswith("gcp-"))
EKS_LOG_TYPES = {"api", "audit", "authenticator", "controllerManager", "scheduler"}
CRYPTO = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt", "kms:GenerateDataKey", "kms:*")


def production(plan: Plan) -> bool:
    (env,) = plan.of_type("inferstack:index:LlmEnvironment")
    return env.inputs["spec"]["production"] is True


def document(res: PlannedResource, key: str = "policy") -> dict[str, Any]:
    value = res.inputs.get(key)
    assert isinstance(value, str), f"{res.name} has no {key}"
    return json.loads(value)


def by_id(plan: Plan, type_: str) -> dict[str, PlannedResource]:
    return {str(res.id): res for res in plan.of_type(type_)}


def key_of(plan: Plan, arn: str) -> PlannedResource:
    keys = by_id(plan, "aws:kms/key:Key")
    return keys[arn.rsplit("/", 1)[-1]]


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_log_groups_use_a_customer_key_that_cloudwatch_may_use_for_them_only(stack: str) -> None:
    plan = shipped_plan(stack)
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert len(groups) == 2  # control plane and flow logs
    for group in groups:
        key = key_of(plan, group.inputs["kmsKeyId"])
        (statement,) = [s for s in document(key)["Statement"] if "Service" in s.get("Principal", {})]
        assert statement["Principal"]["Service"] == "logs.us-east-1.amazonaws.com"
        allowed = statement["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
        assert f"arn:aws:logs:us-east-1:123456789012:log-group:{group.inputs['name']}" in allowed
        assert len(allowed) == len(groups)


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_every_kms_key_has_an_explicit_least_privilege_policy(stack: str) -> None:
    plan = shipped_plan(stack)
    keys = plan.of_type("aws:kms/key:Key")
    assert len(keys) == 3  # secrets, weights, logs
    for key in keys:
        statements = document(key)["Statement"]
        assert statements[0]["Sid"] == "AdministerKey"
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            principal = statement["Principal"]
            assert "kms:*" not in actions and principal != "*", (key.name, statement)
            crypto = [a for a in actions if a.startswith(CRYPTO)]
            if crypto and str(principal.get("AWS", "")).endswith(":root"):
                assert "kms:ViaService" in statement["Condition"]["StringEquals"], (key.name, statement)
        assert key.inputs["enableKeyRotation"] is True


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_production_keeps_a_year_and_every_control_plane_log_type(stack: str) -> None:
    plan = shipped_plan(stack)
    days = {group.inputs["retentionInDays"] for group in plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    (cluster,) = plan.of_type("aws:eks/cluster:Cluster")
    types = set(cluster.inputs["enabledClusterLogTypes"])
    if production(plan):
        assert min(days) >= 365 and types == EKS_LOG_TYPES
    else:
        assert days == {90} and types == {"api", "audit", "authenticator"}


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_buckets_abort_incomplete_uploads_and_production_logs_access(stack: str) -> None:
    plan = shipped_plan(stack)
    buckets = by_id(plan, "aws:s3/bucket:Bucket")
    for lifecycle in plan.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"):
        assert any(
            rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] > 0 for rule in lifecycle.inputs["rules"]
        )
    assert len(plan.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")) == len(buckets)
    logging = plan.of_type("aws:s3/bucketLogging:BucketLogging")
    if not production(plan):
        assert logging == [] and len(buckets) == 1
        return
    (config,) = logging
    target = buckets[config.inputs["targetBucket"]]
    assert config.inputs["bucket"] in buckets and target.protect
    parts = {res.type: res for res in plan.resources if res.inputs.get("bucket") == target.id and res is not target}
    sse = parts["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"]
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    block = parts["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]
    assert all(block.inputs[flag] is True for flag in ("blockPublicAcls", "blockPublicPolicy", "restrictPublicBuckets"))
    statements = document(parts["aws:s3/bucketPolicy:BucketPolicy"])["Statement"]
    (writer,) = [s for s in statements if s["Effect"] == "Allow"]
    assert writer["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert writer["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:s3:::{config.inputs['bucket']}"
    (expiry,) = parts["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"].inputs["rules"]
    assert expiry["expiration"]["days"] >= 365


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_gke_has_intranode_visibility_and_production_enforces_binary_authorization(stack: str) -> None:
    plan = shipped_plan(stack)
    (cluster,) = plan.of_type("gcp:container/cluster:Cluster")
    assert cluster.inputs["enableIntranodeVisibility"] is True
    mode = cluster.inputs["binaryAuthorization"]["evaluationMode"]
    assert mode == ("PROJECT_SINGLETON_POLICY_ENFORCE" if production(plan) else "DISABLED")
    # Google Groups for RBAC only when the stack names a domain (neither shipped stack does).
    assert "authenticatorGroupsConfig" not in cluster.inputs


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_gcs_aborts_incomplete_uploads_and_production_logs_access_for_a_year(stack: str) -> None:
    plan = shipped_plan(stack)
    buckets = {str(res.inputs["name"]): res for res in plan.of_type("gcp:storage/bucket:Bucket")}
    for bucket in buckets.values():
        actions = [rule["action"]["type"] for rule in bucket.inputs["lifecycleRules"]]
        assert "AbortIncompleteMultipartUpload" in actions, bucket.name
        assert bucket.inputs["publicAccessPrevention"] == "enforced"
    (retention,) = plan.of_type("gcp:logging/projectBucketConfig:ProjectBucketConfig")
    logged = [b for b in buckets.values() if b.inputs.get("logging")]
    if not production(plan):
        assert logged == [] and retention.inputs["retentionDays"] == 90
        return
    assert retention.inputs["retentionDays"] >= 365
    (weights,) = logged
    target = buckets[weights.inputs["logging"]["logBucket"]]
    assert target.protect and not target.inputs.get("logging")
    ages = [
        rule["condition"].get("age") for rule in target.inputs["lifecycleRules"] if rule["action"]["type"] == "Delete"
    ]
    assert max(age or 0 for age in ages) >= 365
    writers = [
        m
        for m in plan.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if m.inputs["bucket"] == target.inputs["name"]
    ]
    assert [(m.inputs["role"], m.inputs["member"]) for m in writers] == [
        ("roles/storage.objectCreator", "group:cloud-storage-analytics@google.com")
    ]
