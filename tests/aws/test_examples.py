"""One example per public AWS component: only its required arguments, run under the offline engine.

Each example is what a user would write to use the component on its own (plans from the public planners, plain
strings where their own stack would pass Outputs); the test checks it builds the resources that make it itself.
"""

from __future__ import annotations

import pulumi
import pytest

from inferstack import (
    AwsEnvironment,
    AwsNetwork,
    EksCluster,
    EksGpuNodePool,
    EksNodePoolPlan,
    EksSystemNodePool,
    EnvironmentSpec,
    S3ModelStore,
    plan_eks_gpu_pool,
)
from inferstack.aws.plan.network import plan_network
from inferstack.aws.plan.nodes import plan_eks_system_pool
from inferstack.spec.models import ModelStoreSpec
from tests.component_examples import Example, check_example, public_components
from tests.conftest import OfflineRunner

SPEC = EnvironmentSpec.model_validate(
    {
        "name": "ex",
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 2}},
    }
)
SUBNETS = {"use1-az1": "subnet-0a1b2c3d4e5f60001", "use1-az2": "subnet-0a1b2c3d4e5f60002"}
NODE_ROLE = "arn:aws:iam::123456789012:role/ex-nodes"


def node_pool(kind: type[EksGpuNodePool | EksSystemNodePool], name: str, plan: EksNodePoolPlan) -> None:
    kind(
        name,
        plan,
        cluster_name="ex",
        node_group_name=name,
        node_role_arn=NODE_ROLE,
        subnet_ids=SUBNETS,
        security_group_ids=["sg-0a1b2c3d4e5f60003"],
        tags={},
    )


def aws_environment() -> None:
    AwsEnvironment("ex", SPEC)


def aws_network() -> None:
    AwsNetwork("ex-network", plan_network(SPEC), cluster_name="ex", region="us-east-1", tags={})


def eks_cluster() -> None:
    EksCluster(
        "ex-eks",
        cluster_name="ex",
        region="us-east-1",
        kubernetes_version=SPEC.cluster.kubernetes_version,
        subnet_ids=list(SUBNETS.values()),
        security_group_id="sg-0a1b2c3d4e5f60004",
        services_cidr="172.20.0.0/16",
        public_access_cidrs=[],
        admins=[],
        log_retention_days=30,
        protect=False,
        tags={},
        account_id="123456789012",
    )


def eks_gpu_node_pool() -> None:
    node_pool(EksGpuNodePool, "ex-l4", plan_eks_gpu_pool(SPEC, "l4"))


def eks_system_node_pool() -> None:
    node_pool(EksSystemNodePool, "ex-system", plan_eks_system_pool(SPEC))


def s3_model_store() -> None:
    S3ModelStore(
        "ex-models",
        ModelStoreSpec(),
        bucket_name=pulumi.Output.from_input("ex-models-bucket"),
        protect=False,
        tags={},
        account_id="123456789012",
        region="us-east-1",
    )


EXAMPLES: dict[str, Example] = {
    "AwsEnvironment": (aws_environment, "aws:eks/cluster:Cluster"),
    "AwsNetwork": (aws_network, "aws:ec2/vpc:Vpc"),
    "EksCluster": (eks_cluster, "aws:eks/cluster:Cluster"),
    "EksGpuNodePool": (eks_gpu_node_pool, "aws:eks/nodeGroup:NodeGroup"),
    "EksSystemNodePool": (eks_system_node_pool, "aws:eks/nodeGroup:NodeGroup"),
    "S3ModelStore": (s3_model_store, "aws:s3/bucket:Bucket"),
}


@pytest.mark.parametrize("component", sorted(EXAMPLES))
def test_each_public_component_runs_with_only_its_required_arguments(offline: OfflineRunner, component: str) -> None:
    check_example(offline, component, EXAMPLES[component])


def test_every_public_aws_component_has_an_example() -> None:
    assert public_components("inferstack.aws.") == set(EXAMPLES)
