"""Model bucket, encryption keys, protection, IRSA roles and what the workload layer receives."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from inferstack.aws.cluster import ADMIN_POLICY
from inferstack.aws.environment import INTERNAL_LB_ANNOTATIONS, AwsEnvironment
from inferstack.aws.identity import MODELS_ROOT, issuer_host
from inferstack.aws.plan.kubeconfig import kubeconfig
from inferstack.infra.offline.plan import SECRET, Plan, PlannedResource
from inferstack.planning.names import (
    STAGING_NAMESPACE,
    STAGING_SERVICE_ACCOUNT,
    compile_cache_prefix,
    model_prefix,
    serving_namespace,
    serving_service_account,
)
from inferstack.spec import EnvironmentSpec
from inferstack.target import ClusterTarget
from tests.aws.conftest import PlannedStack
from tests.conftest import OfflineRunner

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _document(resource_inputs: dict[str, Any], key: str) -> dict[str, Any]:
    value = resource_inputs[key]
    assert isinstance(value, str)
    return json.loads(value)


def _weights(plan: Plan, type_: str) -> list[PlannedResource]:
    """The model bucket's resources of a type (production also has an access-log bucket beside it)."""
    return [res for res in plan.of_type(type_) if "access-logs" not in res.name]


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_bucket_is_private_encrypted_versioned_and_tls_only(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    plan = aws_stacks[stack].plan
    (bucket,) = _weights(plan, "aws:s3/bucket:Bucket")
    (block,) = _weights(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block.inputs[flag] is True
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    (encryption,) = _weights(
        plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    (rule,) = encryption.inputs["rules"]
    keys = {key.inputs.get("description", ""): key for key in plan.of_type("aws:kms/key:Key")}
    bucket_key = next(key for text, key in keys.items() if "model weights" in text)
    assert rule["bucketKeyEnabled"] is True
    default = rule["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms" and default["kmsMasterKeyId"].endswith(f"key/{bucket_key.id}")
    assert all(key.inputs["enableKeyRotation"] is True for key in keys.values())
    (versioning,) = _weights(plan, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    (policy,) = _weights(plan, "aws:s3/bucketPolicy:BucketPolicy")
    (statement,) = _document(policy.inputs, "policy")["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(statement["Resource"]) == {f"arn:aws:s3:::{bucket.id}", f"arn:aws:s3:::{bucket.id}/*"}
    (lifecycle,) = _weights(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.inputs["rules"][0]["noncurrentVersionExpiration"]["noncurrentDays"] == 30


@pytest.mark.parametrize(("stack", "protected"), [("aws-dev", False), ("aws-prod", True)])
def test_data_is_protected_in_production(aws_stacks: dict[str, PlannedStack], stack: str, protected: bool) -> None:
    planned = aws_stacks[stack]
    stateful = planned.plan.of_type("aws:s3/bucket:Bucket") + planned.plan.of_type("aws:kms/key:Key")
    # The bucket, its key, the secrets key and the logs key (protected with the logs: in production too); production
    # also keeps an access-log bucket.
    assert len(stateful) == (5 if protected else 4)
    assert {resource.protect for resource in stateful} == {protected}
    (cluster,) = planned.plan.of_type("aws:eks/cluster:Cluster")
    assert cluster.inputs["deletionProtection"] is protected
    assert not any(r.protect for r in planned.plan.of_type("aws:ec2/subnet:Subnet"))


def test_each_model_reader_is_trusted_by_its_service_account_only(aws_stacks: dict[str, PlannedStack]) -> None:
    prod = aws_stacks["aws-prod"]
    (bucket,) = _weights(prod.plan, "aws:s3/bucket:Bucket")
    for model in ("large", "small"):
        role = prod.one(ROLE, f"prod-identity-reader-{model}")
        (statement,) = _document(role.inputs, "assumeRolePolicy")["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"]["Federated"].startswith("arn:aws:iam::123456789012:oidc-provider/")
        conditions = statement["Condition"]["StringEquals"]
        subject = f"system:serviceaccount:{serving_namespace(model)}:{serving_service_account(model)}"
        assert [v for k, v in conditions.items() if k.endswith(":sub")] == [subject]
        assert [v for k, v in conditions.items() if k.endswith(":aud")] == ["sts.amazonaws.com"]
        policy = _document(prod.one(ROLE_POLICY, f"prod-identity-reader-{model}").inputs, "policy")
        actions = {action for s in policy["Statement"] for action in s["Action"]}
        # aws-prod persists its compile caches: put (never delete) under compile-cache/<model>/ only (test_iam.py).
        assert actions == {"s3:GetObject", "s3:ListBucket", "kms:Decrypt", "s3:PutObject", "kms:GenerateDataKey"}
        read = next(s for s in policy["Statement"] if s["Sid"] == "ReadModel")
        assert read["Resource"] == f"arn:aws:s3:::{bucket.id}/{model_prefix(model)}/*"
        cache = next(s for s in policy["Statement"] if s["Sid"] == "CompileCache")
        assert cache["Resource"] == f"arn:aws:s3:::{bucket.id}/{compile_cache_prefix(model)}/*"


def test_stager_writes_models_only(aws_stacks: dict[str, PlannedStack]) -> None:
    dev = aws_stacks["aws-dev"]
    role = dev.one(ROLE, "aws-dev-identity-stager")
    (statement,) = _document(role.inputs, "assumeRolePolicy")["Statement"]
    subject = f"system:serviceaccount:{STAGING_NAMESPACE}:{STAGING_SERVICE_ACCOUNT}"
    assert subject in statement["Condition"]["StringEquals"].values()
    policy = _document(dev.one(ROLE_POLICY, "aws-dev-identity-stager").inputs, "policy")
    actions = {action for s in policy["Statement"] for action in s["Action"]}
    assert "s3:PutObject" in actions and not any("Delete" in action for action in actions)
    assert all(model_prefix(key).startswith(f"{MODELS_ROOT}/") for key in ("chat", "x"))


def test_outputs_hide_the_kubeconfig(aws_stacks: dict[str, PlannedStack]) -> None:
    outputs = aws_stacks["aws-dev"].plan.outputs
    assert outputs["kubeconfig"] == SECRET
    assert outputs["cluster_name"] == "aws-dev" and outputs["cluster_endpoint"].startswith("https://")
    assert outputs["model_store_uri"] == f"s3://{outputs['model_bucket']}"


def test_kubeconfig_is_a_pure_function_using_aws_eks_get_token() -> None:
    text = kubeconfig("prod", "https://x.eks.amazonaws.com", "Q0E=", "eu-west-1")
    assert text == kubeconfig("prod", "https://x.eks.amazonaws.com", "Q0E=", "eu-west-1")
    assert "certificate-authority-data: Q0E=" in text and "get-token" in text and "eu-west-1" in text
    assert issuer_host("https://oidc.eks.eu-west-1.amazonaws.com/id/AB") == "oidc.eks.eu-west-1.amazonaws.com/id/AB"


def test_minimal_environment_fills_the_target(offline: OfflineRunner) -> None:
    """The smallest AwsEnvironment (no bucket, no models) runs under the mocks and fills the target."""
    spec = EnvironmentSpec.model_validate(
        {
            "name": "mini",
            "cloud": "aws",
            "region": "us-east-1",
            "zones": ["use1-az1", "use1-az2"],
            "node_pools": {"t4": {"gpu": "nvidia-t4"}},
            "model_store": {"bucket": False},
            "network": {"flow_logs": False},
        }
    )
    seen: dict[str, ClusterTarget] = {}

    def program() -> dict[str, object]:
        env = AwsEnvironment("mini", spec)
        seen["target"] = env.target
        return {"cluster": env.outputs["cluster_name"]}

    plan = offline(program)
    target = seen["target"]
    assert target.needs_device_plugin and target.model_store_uri is None and not target.reader_annotations
    (pool,) = target.pools.values()
    assert (pool.gpu, pool.gpus_per_node, pool.vcpus) == ("nvidia-t4", 1, 4)
    assert target.internal_lb_annotations == INTERNAL_LB_ANNOTATIONS
    assert not plan.of_type("aws:s3/bucket:Bucket") and not plan.of_type("aws:ec2/flowLog:FlowLog")
    assert plan.outputs["cluster"] == "mini"
    assert isinstance(target.provider, pulumi.ProviderResource)


def test_admins_become_access_entries_with_cluster_admin(offline: OfflineRunner) -> None:
    admins = ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:user/ops/alice"]
    spec = EnvironmentSpec.model_validate(
        {
            "name": "adm",
            "cloud": "aws",
            "region": "us-east-1",
            "model_store": {"bucket": False},
            "cluster": {"admins": admins},
        }
    )
    plan = offline(lambda: AwsEnvironment("adm", spec).outputs)
    entries = {e.name: e.inputs for e in plan.of_type("aws:eks/accessEntry:AccessEntry")}
    assert set(entries) == {"adm-eks-admin-role-platform-admins", "adm-eks-admin-user-alice"}
    assert sorted(e["principalArn"] for e in entries.values()) == admins
    associations = plan.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert {a.inputs["policyArn"] for a in associations} == {ADMIN_POLICY}
    assert all(a.inputs["accessScope"] == {"type": "cluster"} for a in associations)
    (cluster,) = plan.of_type("aws:eks/cluster:Cluster")
    assert cluster.inputs["accessConfig"]["authenticationMode"] == "API"
