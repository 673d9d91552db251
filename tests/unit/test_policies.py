"""Each policy rule: a compliant resource passes, and each single mutation of it fails with the right message."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.infra.review.policy_check import Finding, evaluate, resolve_config
from inferstack.policies.pack import ALL_RULES

DELETE = object()
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
SECURE_CONTAINER: dict[str, Any] = {
    "name": "engine",
    "image": "vllm/vllm-openai:v0.11.0",
    "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False},
    "resources": {"limits": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}},
    "startupProbe": {"httpGet": {"path": "/health", "port": 8000}},
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8000}},
    "env": [{"name": "VLLM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "chat-secrets", "key": "api-key"}}}],
}
DEPLOYMENT = {
    "metadata": {"name": "chat", "namespace": "llm-chat"},
    "spec": {
        "template": {
            "spec": {
                "containers": [SECURE_CONTAINER],
                "nodeSelector": {"inferstack.dev/pool": "l4"},
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            }
        }
    },
}
CONTAINER = ("spec", "template", "spec", "containers", 0)

# rule -> the compliant resources (type, id, inputs) it is checked against.
GOOD: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
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
    "gcp-bucket-private": [
        (
            "gcp:storage/bucket:Bucket",
            "weights",
            {"uniformBucketLevelAccess": True, "publicAccessPrevention": "enforced", "versioning": {"enabled": True}},
        )
    ],
    "gcp-no-world-ingress": [
        (
            "gcp:compute/firewall:Firewall",
            "fw-1",
            {"direction": "INGRESS", "allows": [{"protocol": "tcp"}], "sourceRanges": ["35.191.0.0/16"]},
        )
    ],
    "gcp-gke-secrets-encrypted": [
        (
            "gcp:container/cluster:Cluster",
            "dev",
            {"databaseEncryption": {"state": "ENCRYPTED", "keyName": "projects/p/locations/l/keyRings/r/cryptoKeys/k"}},
        )
    ],
    "gcp-gke-endpoint-restricted": [
        (
            "gcp:container/cluster:Cluster",
            "dev",
            {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "203.0.113.0/24"}]}},
        )
    ],
    "gcp-node-metadata-protected": [
        (
            "gcp:container/nodePool:NodePool",
            "np-1",
            {
                "nodeConfig": {
                    "workloadMetadataConfig": {"mode": "GKE_METADATA"},
                    "shieldedInstanceConfig": {"enableSecureBoot": True},
                }
            },
        )
    ],
    "k8s-image-pinned": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-restricted-security-context": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-resource-limits": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-startup-and-readiness-probes": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-gpu-workload-targets-pool": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-no-plain-secrets": [
        ("kubernetes:apps/v1:Deployment", "", DEPLOYMENT),
        ("kubernetes:core/v1:ConfigMap", "", {"data": {"MODEL": "qwen2.5-7b", "LOG_LEVEL": "info"}}),
    ],
    "k8s-networkpolicy-per-serving-namespace": [
        ("kubernetes:apps/v1:Deployment", "", DEPLOYMENT),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "", {"metadata": {"namespace": "llm-chat"}}),
    ],
    "gpu-pool-tainted": [
        (
            "aws:eks/nodeGroup:NodeGroup",
            "ng-l4",
            {"instanceTypes": ["g6.xlarge"], "taints": [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]},
        ),
        (
            "gcp:container/nodePool:NodePool",
            "np-l4",
            {
                "nodeConfig": {
                    "machineType": "g2-standard-4",
                    "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}],
                }
            },
        ),
    ],
    "required-tags": [
        ("aws:ec2/vpc:Vpc", "vpc-1", {"tags": {"team": "ml", "env": "dev"}}),
        ("gcp:storage/bucket:Bucket", "b", {"labels": {"team": "ml", "env": "dev"}}),
    ],
    "gpu-cap": [
        ("aws:eks/nodeGroup:NodeGroup", "ng-1", {"instanceTypes": ["p5.48xlarge"], "scalingConfig": {"maxSize": 4.0}}),
        (
            "gcp:container/nodePool:NodePool",
            "np-1",
            {
                "nodeConfig": {"machineType": "g2-standard-4"},
                "autoscaling": {"maxNodeCount": 8.0},
                "nodeLocations": ["a"],
            },
        ),
    ],
    "monthly-cost-within-budget": [
        (
            "inferstack:index:LlmEnvironment",
            "",
            {"spec": {"cloud": "aws", "region": "us-east-1", "zones": ["use1-az1"], "budget": {"monthly_usd": 3000.0}}},
        ),
        (
            "aws:eks/nodeGroup:NodeGroup",
            "ng-1",
            {"instanceTypes": ["g6.xlarge"], "capacityType": "SPOT", "scalingConfig": {"minSize": 0.0, "maxSize": 2.0}},
        ),
    ],
    "no-spot-in-production": [
        ("aws:eks/nodeGroup:NodeGroup", "ng-1", {"capacityType": "ON_DEMAND"}),
        ("gcp:container/nodePool:NodePool", "np-1", {"nodeConfig": {"spot": False}}),
    ],
}

# (rule, resource index, path, new value or DELETE, rule config, expected message fragment)
MUTATIONS: list[tuple[str, int, tuple[str | int, ...], Any, dict[str, Any], str]] = [
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
    ("gcp-bucket-private", 0, ("uniformBucketLevelAccess",), False, {}, "uniform bucket-level access"),
    ("gcp-bucket-private", 0, ("publicAccessPrevention",), "inherited", {}, "public access prevention"),
    ("gcp-bucket-private", 0, ("versioning", "enabled"), False, {}, "versioning is off"),
    ("gcp-no-world-ingress", 0, ("sourceRanges",), ["0.0.0.0/0"], {}, "0.0.0.0/0"),
    ("gcp-no-world-ingress", 0, ("direction",), DELETE, {"unused": 1}, ""),  # default INGRESS still passes
    ("gcp-gke-secrets-encrypted", 0, ("databaseEncryption", "state"), "DECRYPTED", {}, "secrets encryption"),
    ("gcp-gke-endpoint-restricted", 0, ("masterAuthorizedNetworksConfig",), DELETE, {}, "without authorized"),
    (
        "gcp-node-metadata-protected",
        0,
        ("nodeConfig", "workloadMetadataConfig", "mode"),
        "GCE_METADATA",
        {},
        "GKE_METADATA",
    ),
    ("gcp-node-metadata-protected", 0, ("nodeConfig", "shieldedInstanceConfig"), DELETE, {}, "secure boot"),
    ("k8s-image-pinned", 0, (*CONTAINER, "image"), "vllm/vllm-openai:latest", {}, "not pinned"),
    ("k8s-image-pinned", 0, (*CONTAINER, "image"), "registry:5000/vllm", {}, "not pinned"),
    ("k8s-restricted-security-context", 0, (*CONTAINER, "securityContext", "runAsNonRoot"), DELETE, {}, "as root"),
    (
        "k8s-restricted-security-context",
        0,
        (*CONTAINER, "securityContext", "allowPrivilegeEscalation"),
        True,
        {},
        "privilege escalation",
    ),
    ("k8s-restricted-security-context", 0, (*CONTAINER, "securityContext", "privileged"), True, {}, "privileged"),
    ("k8s-resource-limits", 0, (*CONTAINER, "resources", "limits", "memory"), DELETE, {}, "no memory limit"),
    ("k8s-startup-and-readiness-probes", 0, (*CONTAINER, "startupProbe"), DELETE, {}, "no startupProbe"),
    ("k8s-startup-and-readiness-probes", 0, (*CONTAINER, "readinessProbe"), DELETE, {}, "no readinessProbe"),
    ("k8s-gpu-workload-targets-pool", 0, ("spec", "template", "spec", "tolerations"), [], {}, "do not tolerate"),
    ("k8s-gpu-workload-targets-pool", 0, ("spec", "template", "spec", "nodeSelector"), DELETE, {}, "select their pool"),
    (
        "k8s-no-plain-secrets",
        0,
        (*CONTAINER, "env", 0),
        {"name": "HF_TOKEN", "value": "placeholder-not-a-token"},
        {},
        "literal credential",
    ),
    ("k8s-no-plain-secrets", 1, ("data", "API_KEY"), "placeholder-not-a-key", {}, "looks like a credential"),
    # A credential-shaped value under an innocent name, built here so no such literal sits in the repository.
    ("k8s-no-plain-secrets", 1, ("data", "MODEL"), "hf_" + "x" * 34, {}, "looks like a credential"),
    ("k8s-networkpolicy-per-serving-namespace", 1, ("metadata", "namespace"), "other", {}, "without a NetworkPolicy"),
    ("gpu-pool-tainted", 0, ("taints",), DELETE, {}, "not tainted"),
    ("gpu-pool-tainted", 1, ("nodeConfig", "taints", 0, "effect"), "PREFER_NO_SCHEDULE", {}, "not tainted"),
    ("required-tags", 0, ("tags", "team"), DELETE, {}, "missing required tags/labels: team"),
    (
        "required-tags",
        1,
        ("labels",),
        {},
        {"requiredTags": ["cost-center"]},
        "missing required tags/labels: cost-center",
    ),
    ("gpu-cap", 0, ("scalingConfig", "maxSize"), 8.0, {}, "72 GPUs at maximum scale exceed the cap of 64"),
    ("gpu-cap", 0, ("scalingConfig", "maxSize"), 1.0, {"maxGpus": 8}, "16 GPUs at maximum scale exceed the cap of 8"),
    ("monthly-cost-within-budget", 1, ("scalingConfig", "maxSize"), 100.0, {}, "exceeds the budget of $3,000"),
    ("monthly-cost-within-budget", 1, ("capacityType",), "ON_DEMAND", {"monthlyBudgetUsd": 500}, "budget of $500"),
    ("monthly-cost-within-budget", 0, ("spec", "budget"), DELETE, {}, ""),  # no budget: nothing to check
    ("no-spot-in-production", 0, ("capacityType",), "SPOT", {"production": True}, "spot capacity"),
    ("no-spot-in-production", 1, ("nodeConfig", "spot"), True, {"production": True}, "spot/preemptible"),
]

RULES = {rule.name: rule for rule in ALL_RULES}


def plan_of(resources: list[tuple[str, str, dict[str, Any]]]) -> Plan:
    planned = [
        PlannedResource(
            urn=f"urn:pulumi:test::inferstack::{type_}::r{index}",
            type=type_,
            name=f"r{index}",
            parent=None,
            custom=True,
            id=resource_id or None,
            inputs=inputs,
        )
        for index, (type_, resource_id, inputs) in enumerate(resources)
    ]
    return Plan("inferstack", "test", planned, {})


def findings_of(rule: str, resources: list[tuple[str, str, dict[str, Any]]], config: dict[str, Any]) -> list[Finding]:
    return evaluate(plan_of(resources), {rule: config} if config else {}, rules=[RULES[rule]])


def mutate(resources: list[tuple[str, str, dict[str, Any]]], index: int, path: tuple[str | int, ...], value: Any):
    changed = copy.deepcopy(resources)
    node: Any = changed[index][2]
    for step in path[:-1]:
        node = node[step]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def test_every_rule_has_a_compliant_example_and_a_failing_mutation() -> None:
    assert set(GOOD) == set(RULES)
    assert {m[0] for m in MUTATIONS if m[5]} == set(RULES)


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    assert findings_of(rule, GOOD[rule], {}) == []


@pytest.mark.parametrize(
    ("rule", "index", "path", "value", "config", "expected"),
    MUTATIONS,
    ids=[f"{m[0]}:{'.'.join(map(str, m[2]))}" for m in MUTATIONS],
)
def test_one_mutation_fails_with_its_message(
    rule: str, index: int, path: tuple[str | int, ...], value: Any, config: dict[str, Any], expected: str
) -> None:
    findings = findings_of(rule, mutate(GOOD[rule], index, path, value), config)
    if not expected:
        assert findings == []
        return
    assert findings, f"{rule} did not fire"
    assert any(expected in finding.message for finding in findings), findings
    assert all(finding.rule == rule and finding.remediation for finding in findings)


def test_every_rule_has_severity_remediation_and_description() -> None:
    for rule in ALL_RULES:
        assert rule.description and rule.remediation_steps and rule.severity, rule.name


def test_security_rules_are_mandatory_by_default() -> None:
    advisory = {rule.name for rule in ALL_RULES if resolve_config(rule).enforcement.value != "mandatory"}
    assert advisory == {"required-tags"}


def test_config_can_change_enforcement() -> None:
    bad = mutate(GOOD["aws-imdsv2-hop-limit-1"], 0, ("metadataOptions", "httpTokens"), "optional")
    rule = RULES["aws-imdsv2-hop-limit-1"]
    (finding,) = evaluate(plan_of(bad), {"aws-imdsv2-hop-limit-1": "advisory"}, rules=[rule])
    assert finding.enforcement == "advisory"
    assert evaluate(plan_of(bad), {"all": "disabled"}, rules=[rule]) == []
