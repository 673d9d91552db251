"""KMS key policies as plain data: every key says who administers it and who may use it, and for what.

Without a `policy`, KMS gives a key its default policy: the account root may do `kms:*`, so any IAM policy in the
account can grant any use. Here the account root (that is, IAM policies in this account: the deploying principal,
break-glass admins) may only administer the key (AWS KMS Developer Guide, default key policy, "Allows key
administrators"), which keeps the key manageable and passes KMS's lockout safety check; cryptographic use is granted
per key to the one service or role that needs it:

- the EKS secrets key: the cluster role, and grants created through EKS (`kms:ViaService`) for AWS resources;
- the model bucket key: principals of this account through S3 only (their IAM policies still pick the prefix);
- the logs key: the CloudWatch Logs service principal of the region, only with the encryption context of the
  environment's own log groups (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
"""

from __future__ import annotations

from collections.abc import Sequence

from inferstack.aws.plan.policy_documents import PARTITION, VERSION, Document

ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)
USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
# What CloudWatch Logs needs on a log group's key (the CloudWatch Logs User Guide's statement).
LOGS_ACTIONS = ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*")
# Kubernetes secrets envelope encryption: the control plane encrypts, decrypts and reads its grants.
EKS_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants")
GRANT_ACTIONS = ("kms:CreateGrant", "kms:DescribeKey", "kms:ListGrants")


def account_root(account_id: str) -> str:
    """The account principal: IAM policies in this account, not one user."""
    return f"arn:{PARTITION}:iam::{account_id}:root"


def log_group_arn(region: str, account_id: str, name: str) -> str:
    """The ARN CloudWatch Logs puts in the encryption context of a log group's data."""
    return f"arn:{PARTITION}:logs:{region}:{account_id}:log-group:{name}"


def _key_policy(account_id: str, *statements: Document) -> Document:
    admin = {
        "Sid": "AdministerKey",
        "Effect": "Allow",
        "Principal": {"AWS": account_root(account_id)},
        "Action": list(ADMIN_ACTIONS),
        "Resource": "*",
    }
    return {"Version": VERSION, "Statement": [admin, *statements]}


def eks_secrets_key_policy(account_id: str, region: str, cluster_role_arn: str) -> Document:
    """The EKS secrets key: the cluster role uses it; grants for AWS resources only through EKS."""
    return _key_policy(
        account_id,
        {
            "Sid": "ClusterRoleUse",
            "Effect": "Allow",
            "Principal": {"AWS": cluster_role_arn},
            "Action": list(EKS_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "GrantsThroughEks",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(account_id)},
            "Action": list(GRANT_ACTIONS),
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": f"eks.{region}.amazonaws.com", "kms:CallerAccount": account_id},
                "Bool": {"kms:GrantIsForAWSResource": "true"},
            },
        },
    )


def bucket_key_policy(account_id: str, region: str) -> Document:
    """The model bucket key: used by this account's principals through S3 only."""
    return _key_policy(
        account_id,
        {
            "Sid": "UseThroughS3",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(account_id)},
            "Action": list(USE_ACTIONS),
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": account_id}
            },
        },
    )


def logs_key_policy(account_id: str, region: str, log_groups: Sequence[str]) -> Document:
    """The logs key: CloudWatch Logs of the region, for these log groups only (by encryption context)."""
    return _key_policy(
        account_id,
        {
            "Sid": "CloudWatchLogsUse",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": list(LOGS_ACTIONS),
            "Resource": "*",
            "Condition": {
                "ArnEquals": {
                    "kms:EncryptionContext:aws:logs:arn": [
                        log_group_arn(region, account_id, name) for name in sorted(log_groups)
                    ]
                }
            },
        },
    )
