"""AWS rules: buckets, security groups, the EKS control plane and node launch templates."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from inferstack.policies.props import as_list, dig, opens_to_world
from inferstack.policies.rule import Report, resource_rule, stack_rule
from inferstack.provider_types import Aws

BUCKET_TYPES = {Aws.S3_BUCKET, Aws.S3_BUCKET_V2}
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _attached(bucket: PolicyResource, resources: list[PolicyResource], *types: str) -> list[PolicyResource]:
    """Resources of these types that configure this bucket (they depend on it)."""
    return [
        resource
        for resource in resources
        if resource.resource_type in types and any(dep.urn == bucket.urn for dep in resource.dependencies)
    ]


def _truthy(value: Any) -> bool:
    return value is True or value == "true"


def _denies_insecure_transport(policy_document: Any) -> bool:
    try:
        document = json.loads(policy_document) if isinstance(policy_document, str) else policy_document
    except ValueError:
        return False
    for statement in as_list(dig(document, "Statement")):
        condition = dig(statement, "Condition", "Bool", "aws:SecureTransport")
        if dig(statement, "Effect") == "Deny" and str(condition).lower() == "false":
            return True
    return False


def _check_buckets(args: StackValidationArgs, report: Report) -> None:
    # An access-log bucket may use SSE-S3: log delivery to SSE-KMS needs the logging service in the key policy.
    log_targets = {r.props.get("targetBucket") for r in args.resources if r.resource_type == Aws.S3_LOGGING}
    for bucket in args.resources:
        if bucket.resource_type not in BUCKET_TYPES:
            continue
        accepted = {"aws:kms", "aws:kms:dsse"} | ({"AES256"} if bucket.props.get("bucket") in log_targets else set())
        blocks = _attached(bucket, args.resources, Aws.S3_PUBLIC_ACCESS_BLOCK)
        if not any(all(_truthy(block.props.get(flag)) for flag in PUBLIC_ACCESS_FLAGS) for block in blocks):
            report("bucket has no public access block with all four settings on", bucket.urn)
        encryption = _attached(bucket, args.resources, Aws.S3_ENCRYPTION, Aws.S3_ENCRYPTION_V2)
        algorithms = {
            dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
            for config in encryption
            for rule in as_list(config.props.get("rules"))
        }
        if not algorithms & accepted:
            report("bucket is not encrypted with SSE-KMS (SSE-S3 only for an access-log bucket)", bucket.urn)
        versioning = _attached(bucket, args.resources, Aws.S3_VERSIONING, Aws.S3_VERSIONING_V2)
        if not any(dig(v.props, "versioningConfiguration", "status") == "Enabled" for v in versioning):
            report("bucket versioning is not enabled", bucket.urn)
        policies = _attached(bucket, args.resources, Aws.S3_POLICY)
        if not any(_denies_insecure_transport(p.props.get("policy")) for p in policies):
            report("bucket policy does not deny requests without TLS (aws:SecureTransport false)", bucket.urn)


bucket_hardened = stack_rule(
    "aws-bucket-hardened",
    "S3 buckets block all public access, use SSE-KMS (SSE-S3 for access-log buckets), keep versions, refuse HTTP.",
    _check_buckets,
    remediation="Attach a BucketPublicAccessBlock (all four true), SSE-KMS encryption, versioning Enabled and a "
    "bucket policy denying aws:SecureTransport=false, as components/aws does.",
    severity=Severity.CRITICAL,
)


def _check_ingress(args: ResourceValidationArgs, report: Report) -> None:
    props = args.props
    if args.resource_type == Aws.SECURITY_GROUP:
        for rule in as_list(props.get("ingress")):
            if opens_to_world(dig(rule, "cidrBlocks")) or opens_to_world(dig(rule, "ipv6CidrBlocks")):
                report(f"ingress rule on ports {dig(rule, 'fromPort')}-{dig(rule, 'toPort')} is open to the world")
    elif args.resource_type == Aws.SECURITY_GROUP_RULE:
        if props.get("type") == "ingress" and (
            opens_to_world(props.get("cidrBlocks")) or opens_to_world(props.get("ipv6CidrBlocks"))
        ):
            report("ingress rule is open to the world")
    elif args.resource_type == Aws.SECURITY_GROUP_INGRESS_RULE and (
        opens_to_world(props.get("cidrIpv4")) or opens_to_world(props.get("cidrIpv6"))
    ):
        report("ingress rule is open to the world")


no_world_ingress = resource_rule(
    "aws-no-world-ingress",
    "No security group admits traffic from 0.0.0.0/0 or ::/0.",
    _check_ingress,
    remediation="Allow only the VPC, the cluster's security groups or named client CIDRs.",
    severity=Severity.CRITICAL,
)


def _check_cluster_encryption(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Aws.EKS_CLUSTER:
        return
    configs = args.props.get("encryptionConfig")
    configs = [configs] if isinstance(configs, Mapping) else as_list(configs)
    if not any("secrets" in as_list(dig(c, "resources")) and dig(c, "provider", "keyArn") for c in configs):
        report("Kubernetes secrets are not envelope-encrypted with a customer KMS key")


cluster_secrets_encrypted = resource_rule(
    "aws-eks-secrets-encrypted",
    "EKS envelope-encrypts Kubernetes secrets with a customer-managed KMS key.",
    _check_cluster_encryption,
    remediation="Set encryptionConfig {resources: [secrets], provider.keyArn: <customer KMS key>}.",
)


def _check_endpoint(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Aws.EKS_CLUSTER:
        return
    vpc = args.props.get("vpcConfig") or {}
    public = vpc.get("endpointPublicAccess", True)  # the EKS default is a public endpoint
    cidrs = as_list(vpc.get("publicAccessCidrs"))
    if public and (not cidrs or opens_to_world(cidrs)):
        report("the API endpoint is public and open to the world (set publicAccessCidrs or turn public access off)")
    if not vpc.get("endpointPrivateAccess"):
        report("the API endpoint has no private access: nodes reach it over the internet")


cluster_endpoint_restricted = resource_rule(
    "aws-eks-endpoint-restricted",
    "The EKS API endpoint is private, or public only to named CIDRs.",
    _check_endpoint,
    remediation="Use network.api_access for the few CIDRs that need the API, or security_profile: private.",
)


def _check_launch_template(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Aws.LAUNCH_TEMPLATE:
        return
    metadata = args.props.get("metadataOptions") or {}
    if metadata.get("httpTokens") != "required":
        report("instance metadata allows IMDSv1 (httpTokens must be required)")
    hop_limit = metadata.get("httpPutResponseHopLimit")
    if hop_limit is None or float(hop_limit) != 1:
        report(f"metadata hop limit is {hop_limit} (must be 1 so pods cannot reach the node's credentials)")


imdsv2_required = resource_rule(
    "aws-imdsv2-hop-limit-1",
    "Node launch templates require IMDSv2 with a hop limit of 1.",
    _check_launch_template,
    remediation="metadataOptions {httpTokens: required, httpPutResponseHopLimit: 1, httpEndpoint: enabled}.",
)


def _check_volumes(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Aws.LAUNCH_TEMPLATE:
        return
    mappings = as_list(args.props.get("blockDeviceMappings"))
    if not mappings:
        report("no block device mapping: the root volume's encryption depends on the AMI and account defaults")
    for mapping in mappings:
        if not _truthy(dig(mapping, "ebs", "encrypted")):
            report(f"volume {dig(mapping, 'deviceName')} is not encrypted")


node_volumes_encrypted = resource_rule(
    "aws-node-volumes-encrypted",
    "Node volumes are EBS-encrypted.",
    _check_volumes,
    remediation="Set blockDeviceMappings[].ebs.encrypted to true in the launch template.",
)


def _check_node_group_template(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type == Aws.EKS_NODE_GROUP and not args.props.get("launchTemplate"):
        report("node group has no launch template, so IMDS and volume settings are the AMI defaults")


node_group_uses_template = resource_rule(
    "aws-node-group-launch-template",
    "Every EKS node group uses a launch template (where IMDS and volume encryption are set).",
    _check_node_group_template,
    remediation="Give the node group launchTemplate {id, version} of a hardened launch template.",
)

RULES = [
    bucket_hardened,
    no_world_ingress,
    cluster_secrets_encrypted,
    cluster_endpoint_restricted,
    imdsv2_required,
    node_volumes_encrypted,
    node_group_uses_template,
]
