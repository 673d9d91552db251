"""IAM policy documents as plain data: trust policies, workload permissions, the TLS-only bucket policy.

Every argument is a plain string: components resolve ARNs first (`Output.all(...).apply`) and serialize the
document there, so these functions stay pure and testable without Pulumi. Where a statement allows Resource "*",
the actions have no resource-level permissions in IAM (the autoscaler's `Describe*` calls), or the statement is
scoped by a tag condition instead (tests/aws/test_iam.py lists each exception).
"""

from __future__ import annotations

from typing import Any

# Commercial partition: the regions in the catalog are all in it.
PARTITION = "aws"
VERSION = "2012-10-17"
STS_AUDIENCE = "sts.amazonaws.com"

Document = dict[str, Any]


def _doc(*statements: Document) -> Document:
    return {"Version": VERSION, "Statement": list(statements)}


def service_trust_policy(service: str) -> Document:
    """Lets one AWS service (e.g. eks.amazonaws.com) assume the role."""
    return _doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def irsa_trust_policy(provider_arn: str, issuer_host: str, namespace: str, service_account: str) -> Document:
    """Lets exactly one Kubernetes service account assume the role through the cluster's OIDC provider."""
    return _doc(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{issuer_host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    f"{issuer_host}:aud": STS_AUDIENCE,
                }
            },
        }
    )


def bucket_arn(bucket: str) -> str:
    """The ARN of an S3 bucket by name."""
    return f"arn:{PARTITION}:s3:::{bucket}"


def model_reader_policy(
    bucket: str, prefix: str, key_arn: str | None, compile_cache_prefix: str | None = None
) -> Document:
    """Read one model's prefix (get, list) and decrypt; with a compile cache, also get and add objects under it."""
    statements: list[Document] = [
        {
            "Sid": "ReadModel",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": f"{bucket_arn(bucket)}/{prefix}/*",
        },
        {
            "Sid": "ListModel",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": bucket_arn(bucket),
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
    ]
    if key_arn is not None:
        statements.append({"Sid": "DecryptWeights", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn})
    if compile_cache_prefix is not None:
        statements += _compile_cache_statements(bucket, compile_cache_prefix, key_arn)
    return _doc(*statements)


def _compile_cache_statements(bucket: str, prefix: str, key_arn: str | None) -> list[Document]:
    """Get and put (no delete, no other prefix) the model's compile cache; SSE-KMS puts need a data key."""
    statements: list[Document] = [
        {
            "Sid": "CompileCache",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"{bucket_arn(bucket)}/{prefix}/*",
        },
        {
            "Sid": "ListCompileCache",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": bucket_arn(bucket),
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
    ]
    if key_arn is not None:
        statements.append(
            {"Sid": "EncryptCompileCache", "Effect": "Allow", "Action": ["kms:GenerateDataKey"], "Resource": key_arn}
        )
    return statements


def model_writer_policy(bucket: str, prefix: str, key_arn: str | None) -> Document:
    """Stage weights under a prefix: read, write and multipart upload (no delete: versioning keeps history)."""
    statements: list[Document] = [
        {
            "Sid": "StageModels",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            "Resource": f"{bucket_arn(bucket)}/{prefix}/*",
        },
        {
            "Sid": "ListModels",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
            "Resource": bucket_arn(bucket),
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
    ]
    if key_arn is not None:
        statements.append(
            {
                "Sid": "EncryptWeights",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
            }
        )
    return _doc(*statements)


def tls_only_bucket_policy(bucket: str) -> Document:
    """Deny every request to the bucket that does not use TLS."""
    return _doc(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn(bucket), f"{bucket_arn(bucket)}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def access_log_bucket_policy(log_bucket: str, source_bucket: str, account_id: str) -> Document:
    """TLS only, and S3's logging service may write the source bucket's access logs (and nothing else)."""
    (deny,) = tls_only_bucket_policy(log_bucket)["Statement"]
    return _doc(
        deny,
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn(log_bucket)}/*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": bucket_arn(source_bucket)},
                "StringEquals": {"aws:SourceAccount": account_id},
            },
        },
    )


def flow_logs_policy(log_group_arn: str) -> Document:
    """Write VPC flow logs into one log group."""
    return _doc(
        {
            "Sid": "WriteFlowLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        }
    )


def cluster_autoscaler_policy(cluster_name: str, region: str, account_id: str) -> Document:
    """Discover node groups (describe calls have no resource scoping) and resize only this cluster's groups."""
    return _doc(
        {
            "Sid": "Discover",
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
            "Resource": "*",
        },
        {
            "Sid": "DescribeNodegroups",
            "Effect": "Allow",
            "Action": ["eks:DescribeNodegroup"],
            "Resource": f"arn:{PARTITION}:eks:{region}:{account_id}:nodegroup/{cluster_name}/*/*",
        },
        {
            # Auto Scaling group ARNs embed a random id; EKS tags the groups of its managed node groups instead.
            "Sid": "ResizeOwnGroups",
            "Effect": "Allow",
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Resource": "*",
            "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}},
        },
    )


def managed_policy_arn(name: str) -> str:
    """The ARN of an AWS managed policy (name may include a path such as service-role/…)."""
    return f"arn:{PARTITION}:iam::aws:policy/{name}"
