"""IAM least privilege: no policy allows "*" actions, and "*" resources only where AWS leaves no choice.

Allowed exceptions (statement Sid -> why):

- `Discover` (cluster autoscaler): the autoscaling and EC2 `Describe*`/`GetInstanceTypesFromInstanceRequirements`
  actions support no resource-level permissions; IAM only accepts Resource "*" for them.
- `ResizeOwnGroups` (cluster autoscaler): Auto Scaling group ARNs embed a random id unknown before EKS creates the
  groups, so the statement uses Resource "*" narrowed by the `k8s.io/cluster-autoscaler/<cluster>: owned` tag
  condition (it must carry that condition).
- `AllowRegionalReadActions` (Karpenter): EC2 `Describe*` calls take no resource-level permissions; narrowed to the
  stack's region by `aws:RequestedRegion`, as Karpenter's CloudFormation template does (it must carry that condition).
- `AllowPricingReadActions`, `AllowUnscopedInstanceProfileListAction` (Karpenter): `pricing:GetProducts` and
  `iam:ListInstanceProfiles` have no resource types in IAM.

AWS managed policies are attached only where EKS documents them as the required permissions (listed below).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from inferstack.aws.plan.policy_documents import cluster_autoscaler_policy, model_reader_policy
from tests.aws.conftest import PlannedStack

STAR_RESOURCE_EXCEPTIONS = {  # Sid -> must have a Condition
    "Discover": False,
    "ResizeOwnGroups": True,
    "AllowRegionalReadActions": True,
    "AllowPricingReadActions": False,
    "AllowUnscopedInstanceProfileListAction": False,
}
ALLOWED_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy": "the EKS cluster role",
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy": "the node role (nodes join the cluster)",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly": "the node role (pull images, nothing else)",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy": "the VPC CNI's own IRSA role",
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy": "the EBS CSI driver's own IRSA role",
}
DOCUMENTS = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allow_problems(document: dict[str, Any]) -> list[str]:
    """Every broad grant in a policy document's Allow statements."""
    problems = []
    for statement in _as_list(document["Statement"]):
        if statement["Effect"] != "Allow":
            continue  # a Deny with broad actions (the TLS-only bucket policy) only ever narrows access
        sid = statement.get("Sid", "?")
        for action in _as_list(statement["Action"]):
            if action == "*" or action.endswith(":*"):
                problems.append(f"{sid}: allows every action ({action})")
        if "*" in _as_list(statement.get("Resource", [])):
            if sid not in STAR_RESOURCE_EXCEPTIONS:
                problems.append(f"{sid}: Resource '*' is not a listed exception")
            elif STAR_RESOURCE_EXCEPTIONS[sid] and "Condition" not in statement:
                problems.append(f"{sid}: Resource '*' must be narrowed by a condition")
    return problems


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_no_policy_grants_star(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    plan = aws_stacks[stack].plan
    checked = 0
    for type_token, key in DOCUMENTS.items():
        for resource in plan.of_type(type_token):
            document = json.loads(resource.inputs[key])
            assert allow_problems(document) == [], resource.name
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_only_documented_managed_policies(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    attached = {
        a.inputs["policyArn"]
        for a in aws_stacks[stack].plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert attached and attached <= set(ALLOWED_MANAGED_POLICIES)


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_every_role_trusts_one_service_or_one_service_account(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    for role in aws_stacks[stack].plan.of_type("aws:iam/role:Role"):
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        principal = statement["Principal"]
        if "Service" in principal:
            assert statement["Action"] == "sts:AssumeRole" and isinstance(principal["Service"], str)
        else:
            subjects = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
            assert len(subjects) == 1 and subjects[0].startswith("system:serviceaccount:"), role.name


def test_the_checker_catches_broad_grants() -> None:
    broad = {"Statement": [{"Sid": "Oops", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    assert allow_problems(broad) == ["Oops: allows every action (s3:*)", "Oops: Resource '*' is not a listed exception"]
    unscoped = cluster_autoscaler_policy("c", "us-east-1", "123456789012")
    del unscoped["Statement"][2]["Condition"]
    assert allow_problems(unscoped) == ["ResizeOwnGroups: Resource '*' must be narrowed by a condition"]
    assert allow_problems(model_reader_policy("b", "models/m", None)) == []


def test_the_compile_cache_grant_adds_objects_under_its_prefix_only() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/k"
    plain = model_reader_policy("b", "models/m", key)
    cached = model_reader_policy("b", "models/m", key, "compile-cache/m")
    assert allow_problems(cached) == []
    added = [s for s in cached["Statement"] if s not in plain["Statement"]]
    writes = [s for s in added if "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in writes] == ["arn:aws:s3:::b/compile-cache/m/*"]
    assert not any(a.startswith("s3:Delete") for s in cached["Statement"] for a in _as_list(s["Action"]))
    # The weights stay read-only: nothing new touches models/.
    assert not any("models/" in str(s.get("Resource")) for s in added)
    assert {
        "Sid": "EncryptCompileCache",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey"],
        "Resource": key,
    } in added


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_only_models_that_persist_a_compile_cache_may_write_it(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    writers = {}
    for policy in aws_stacks[stack].plan.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            if statement.get("Sid") == "CompileCache":
                writers[policy.name] = statement["Resource"]
    expected = {"aws-dev": {}, "aws-prod": {f"prod-identity-reader-{m}": m for m in ("large", "small")}}[stack]
    assert set(writers) == set(expected)
    for name, model in expected.items():
        assert writers[name].endswith(f":::{writers[name].split(':::')[1].split('/')[0]}/compile-cache/{model}/*")
