"""Audit-trail rules: log groups encrypted with a customer key, a year of retention, every EKS control-plane log
type and access logs on the buckets, the last three in production stacks.

A production stack is told by the `production` parameter (inferstack plan sets it from the spec, like
`no-spot-in-production`); a development stack keeps its shorter defaults.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from inferstack.policies.props import as_list, dig
from inferstack.policies.rule import Report, param, resource_rule, stack_rule
from inferstack.provider_types import Aws, Gcp

PRODUCTION_RETENTION_DAYS = 365
ALL_EKS_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


PRODUCTION_PARAM: dict[str, dict[str, Any]] = {
    "production": {
        "type": "boolean",
        "default": False,
        "description": "Whether the stack is production (inferstack plan sets it from the spec).",
    }
}


def _check_log_group_key(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type == Aws.LOG_GROUP and not args.props.get("kmsKeyId"):
        report("log group is not encrypted with a customer KMS key (kmsKeyId)")


log_groups_encrypted = resource_rule(
    "aws-log-groups-encrypted",
    "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    _check_log_group_key,
    remediation="Set kmsKeyId to a key whose policy lets logs.<region>.amazonaws.com use it for this group "
    "(kms:EncryptionContext:aws:logs:arn), as components/aws/log_key.py does.",
)


def _check_retention(args: ResourceValidationArgs, report: Report) -> None:
    if not param(args, log_retention_production, "production"):
        return
    least = param(args, log_retention_production, "min_days")
    if args.resource_type == Aws.LOG_GROUP:
        days = args.props.get("retentionInDays")
        # 0 (or unset) is CloudWatch's "never expire", which keeps more than a year.
        if days and float(days) < least:
            report(f"log group keeps logs {days:g} days, less than {least} in a production stack")
    elif args.resource_type == Gcp.LOG_BUCKET_CONFIG:
        days = args.props.get("retentionDays")
        if days is None or float(days) < least:
            report(f"log bucket keeps logs {days} days, less than {least} in a production stack")


log_retention_production = resource_rule(
    "log-retention-production",
    "Production stacks keep their control-plane and flow logs at least a year.",
    _check_retention,
    remediation="Leave cluster.log_retention_days out (365 in production) or set 365 or more.",
    severity=Severity.MEDIUM,
    config={
        **PRODUCTION_PARAM,
        "min_days": {"type": "integer", "default": PRODUCTION_RETENTION_DAYS, "description": "Least retention."},
    },
)


def _check_control_plane_logs(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Aws.EKS_CLUSTER or not param(args, control_plane_logs_production, "production"):
        return
    missing = sorted(set(ALL_EKS_LOG_TYPES) - set(as_list(args.props.get("enabledClusterLogTypes"))))
    if missing:
        report(f"control-plane log types {', '.join(missing)} are off in a production stack")


control_plane_logs_production = resource_rule(
    "aws-eks-control-plane-logs-production",
    "Production EKS clusters send every control-plane log type to CloudWatch.",
    _check_control_plane_logs,
    remediation="Set enabledClusterLogTypes to api, audit, authenticator, controllerManager and scheduler.",
    severity=Severity.MEDIUM,
    config=PRODUCTION_PARAM,
)


def _check_access_logs(args: StackValidationArgs, report: Report) -> None:
    if not param(args, access_logs_production, "production"):
        return
    resources = args.resources
    s3_targets = {r.props.get("targetBucket") for r in resources if r.resource_type == Aws.S3_LOGGING}
    s3_logged = {r.props.get("bucket") for r in resources if r.resource_type == Aws.S3_LOGGING}
    gcs_targets = {dig(r.props, "logging", "logBucket") for r in resources if r.resource_type == Gcp.STORAGE_BUCKET}
    for bucket in resources:
        if bucket.resource_type == Aws.S3_BUCKET:
            name = bucket.props.get("bucket")
            # A log bucket does not log itself (it would log its own deliveries).
            if name not in s3_logged and name not in s3_targets:
                report("bucket has no server access logging (BucketLogging to a log bucket)", bucket.urn)
        elif (
            bucket.resource_type == Gcp.STORAGE_BUCKET
            and not dig(bucket.props, "logging", "logBucket")
            and bucket.props.get("name") not in gcs_targets
        ):
            report("bucket has no usage logs (logging.logBucket)", bucket.urn)


access_logs_production = stack_rule(
    "bucket-access-logs-production",
    "In production, every bucket's access is logged to a log bucket (log buckets themselves excepted).",
    _check_access_logs,
    remediation="Give the bucket a BucketLogging (S3) or logging.logBucket (GCS) naming a private log bucket, as "
    "components/aws/access_logs.py and components/gcp/model_store.py do in production.",
    severity=Severity.MEDIUM,
    config=PRODUCTION_PARAM,
)

RULES = [log_groups_encrypted, log_retention_production, control_plane_logs_production, access_logs_production]
