"""The rules of policies/aws.py: buckets, security groups, the EKS control plane and launch templates.

A compliant example passes; each single mutation of it fails with its message.
"""

from __future__ import annotations

import json

import pytest

from tests.policies.support import DELETE, Mutation, Resource, check_compliant, check_mutation, mutation_ids

TLS_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::weights", "arn:aws:s3:::weights/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)

GOOD: dict[str, list[Resource]] = {
    "aws-bucket-hardened": [
        ("aws:s3/bucket:Bucket", "weights", {"bucket": "weights"}),
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "weights-pab",
            {
                "bucket": "weights",
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
        ),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "weights-sse",
            {"bucket": "weights", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
        ),
        (
            "aws:s3/bucketVersioning:BucketVersioning",
            "weights-ver",
            {"bucket": "weights", "versioningConfiguration": {"status": "Enabled"}},
        ),
        ("aws:s3/bucketPolicy:BucketPolicy", "weights-pol", {"bucket": "weights", "policy": TLS_POLICY}),
    ],
    "aws-no-world-ingress": [
        (
            "aws:ec2/securityGroup:SecurityGroup",
            "sg-1",
            {"ingress": [{"fromPort": 443.0, "toPort": 443.0, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/16"]}]},
        ),
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "sgr-1",
            {"cidrIpv4": "203.0.113.0/24", "fromPort": 443.0, "toPort": 443.0, "ipProtocol": "tcp"},
        ),
    ],
    "aws-eks-secrets-encrypted": [
        (
            "aws:eks/cluster:Cluster",
            "dev",
            {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:::key/1"}}},
        )
    ],
    "aws-eks-endpoint-restricted": [
        (
            "aws:eks/cluster:Cluster",
            "dev",
            {
                "vpcConfig": {
                    "endpointPublicAccess": True,
                    "endpointPrivateAccess": True,
                    "publicAccessCidrs": ["203.0.113.0/24"],
                }
            },
        )
    ],
    "aws-imdsv2-hop-limit-1": [
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            "lt-1",
            {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0}},
        )
    ],
    "aws-node-volumes-encrypted": [
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            "lt-1",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 200.0}}]},
        )
    ],
    "aws-node-group-launch-template": [
        ("aws:eks/nodeGroup:NodeGroup", "ng-1", {"launchTemplate": {"id": "lt-1", "version": "1"}})
    ],
}

MUTATIONS: list[Mutation] = [
    ("aws-bucket-hardened", 1, ("blockPublicPolicy",), False, {}, "public access block"),
    ("aws-bucket-hardened", 1, ("bucket",), "other", {}, "public access block"),
    (
        "aws-bucket-hardened",
        2,
        ("rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"),
        "AES256",
        {},
        "SSE-KMS",
    ),
    ("aws-bucket-hardened", 3, ("versioningConfiguration", "status"), "Suspended", {}, "versioning"),
    ("aws-bucket-hardened", 4, ("policy",), json.dumps({"Statement": []}), {}, "TLS"),
    ("aws-no-world-ingress", 0, ("ingress", 0, "cidrBlocks"), ["0.0.0.0/0"], {}, "open to the world"),
    ("aws-no-world-ingress", 0, ("ingress", 0, "ipv6CidrBlocks"), ["::/0"], {}, "open to the world"),
    ("aws-no-world-ingress", 1, ("cidrIpv4",), "0.0.0.0/0", {}, "open to the world"),
    ("aws-eks-secrets-encrypted", 0, ("encryptionConfig",), DELETE, {}, "not envelope-encrypted"),
    ("aws-eks-secrets-encrypted", 0, ("encryptionConfig", "resources"), [], {}, "not envelope-encrypted"),
    ("aws-eks-endpoint-restricted", 0, ("vpcConfig", "publicAccessCidrs"), DELETE, {}, "open to the world"),
    ("aws-eks-endpoint-restricted", 0, ("vpcConfig", "publicAccessCidrs"), ["0.0.0.0/0"], {}, "open to the world"),
    ("aws-eks-endpoint-restricted", 0, ("vpcConfig", "endpointPrivateAccess"), False, {}, "no private access"),
    ("aws-imdsv2-hop-limit-1", 0, ("metadataOptions", "httpTokens"), "optional", {}, "IMDSv1"),
    ("aws-imdsv2-hop-limit-1", 0, ("metadataOptions", "httpPutResponseHopLimit"), 2.0, {}, "hop limit is 2.0"),
    ("aws-node-volumes-encrypted", 0, ("blockDeviceMappings", 0, "ebs", "encrypted"), "false", {}, "not encrypted"),
    ("aws-node-volumes-encrypted", 0, ("blockDeviceMappings",), DELETE, {}, "no block device mapping"),
    ("aws-node-group-launch-template", 0, ("launchTemplate",), DELETE, {}, "no launch template"),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
