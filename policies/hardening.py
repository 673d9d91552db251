"""Hardening an outside scanner checks that the other rule files do not: explicit KMS key policies, incomplete
uploads aborted, GKE intranode visibility and (in production) Binary Authorization.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from inferstack.policies.audit import PRODUCTION_PARAM
from inferstack.policies.props import as_list, dig
from inferstack.policies.rule import Report, param, resource_rule, stack_rule
from inferstack.provider_types import Aws, Gcp

# Actions that use a key's material: who may do these is what a key policy must name narrowly.
CRYPTO_PREFIXES = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt", "kms:GenerateDataKey", "kms:*")
GCS_ABORT = "AbortIncompleteMultipartUpload"


def _policy_document(value: Any) -> dict[str, Any] | None:
    try:
        document = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _one_or_many(value: Any) -> list[Any]:
    # IAM documents accept a single value or a list wherever a list may stand (Action, Statement).
    return [value] if isinstance(value, str | dict) else as_list(value)


def _statement_problem(statement: Any) -> str | None:
    actions = [str(a) for a in _one_or_many(dig(statement, "Action"))]
    principal = dig(statement, "Principal")
    everyone = principal == "*" or dig(principal, "AWS") == "*"
    if dig(statement, "Effect") != "Allow":
        return None
    if "kms:*" in actions or "*" in actions:
        return "a statement allows kms:* (the default key policy's grant): name the actions"
    crypto = any(action.startswith(CRYPTO_PREFIXES) for action in actions)
    if everyone and not dig(statement, "Condition"):
        return "a statement allows any principal (*) without a condition"
    root = str(dig(principal, "AWS") or "").endswith(":root")
    if crypto and root and not dig(statement, "Condition"):
        return "the account root may use the key for any request: scope it by kms:ViaService or name the role"
    return None


def _check_key_policy(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Aws.KMS_KEY:
        return
    document = _policy_document(args.props.get("policy"))
    if document is None:
        report("the key has no explicit key policy: KMS applies its default (the account root may do kms:*)")
        return
    for statement in _one_or_many(document.get("Statement")):
        problem = _statement_problem(statement)
        if problem:
            report(problem)


kms_key_policy_explicit = resource_rule(
    "aws-kms-key-policy-explicit",
    "Every KMS key has an explicit, least-privilege key policy (no implicit default, no kms:* grant).",
    _check_key_policy,
    remediation="Give the key a policy: administration for the account, use for the one service or role that needs "
    "it (components/aws/plan/key_policies.py).",
)


def _check_s3_uploads(args: StackValidationArgs, report: Report) -> None:
    lifecycles = [r for r in args.resources if r.resource_type == Aws.S3_LIFECYCLE]
    for bucket in args.resources:
        if bucket.resource_type != Aws.S3_BUCKET:
            continue
        mine = [r for r in lifecycles if any(dep.urn == bucket.urn for dep in r.dependencies)]
        rules = [rule for lifecycle in mine for rule in as_list(lifecycle.props.get("rules"))]
        if not any(
            dig(rule, "status") == "Enabled" and dig(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation")
            for rule in rules
        ):
            report("bucket keeps incomplete multipart uploads (no abortIncompleteMultipartUpload rule)", bucket.urn)


def _check_gcs_uploads(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Gcp.STORAGE_BUCKET:
        return
    actions = [dig(rule, "action", "type") for rule in as_list(args.props.get("lifecycleRules"))]
    if GCS_ABORT not in actions:
        report(f"bucket keeps incomplete multipart uploads (no {GCS_ABORT} lifecycle rule)")


s3_incomplete_uploads_aborted = stack_rule(
    "aws-bucket-incomplete-uploads-aborted",
    "S3 buckets abort incomplete multipart uploads (parts of a failed upload are billed until then).",
    _check_s3_uploads,
    remediation="Add a lifecycle rule with abortIncompleteMultipartUpload.daysAfterInitiation (7 days here).",
    severity=Severity.LOW,
)
gcs_incomplete_uploads_aborted = resource_rule(
    "gcp-bucket-incomplete-uploads-aborted",
    "GCS buckets abort incomplete multipart uploads.",
    _check_gcs_uploads,
    remediation=f"Add a lifecycle rule {{action: {GCS_ABORT}, condition: {{age: 7}}}}.",
    severity=Severity.LOW,
)


def _check_gke(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Gcp.GKE_CLUSTER:
        return
    if args.props.get("enableIntranodeVisibility") is not True:
        report("intranode visibility is off: same-node pod traffic bypasses VPC flow logs and firewall rules")
    mode = dig(args.props, "binaryAuthorization", "evaluationMode")
    if param(args, gke_hardened, "production") and mode != "PROJECT_SINGLETON_POLICY_ENFORCE":
        report("Binary Authorization does not enforce the project policy in a production stack")


gke_hardened = resource_rule(
    "gcp-gke-visibility-and-admission",
    "GKE clusters have intranode visibility; production clusters enforce Binary Authorization.",
    _check_gke,
    remediation="Set enableIntranodeVisibility: true and, in production, binaryAuthorization.evaluationMode: "
    "PROJECT_SINGLETON_POLICY_ENFORCE (cluster.binary_authorization).",
    severity=Severity.MEDIUM,
    config=PRODUCTION_PARAM,
)

RULES = [kms_key_policy_explicit, s3_incomplete_uploads_aborted, gcs_incomplete_uploads_aborted, gke_hardened]
