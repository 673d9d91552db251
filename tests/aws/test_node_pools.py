"""GPU and system node pools: types from the catalog, AMI, zones, taints, labels, launch template, scaling."""

from __future__ import annotations

import base64
import json

import pytest

from inferstack import catalog
from inferstack.aws.node_pool import (
    DESIRED_SIZE_PATH,
    NODE_GROUP_NAME_PATHS,
    NODE_GROUP_PREFIX_MAX,
    node_group_name_prefix,
)
from inferstack.aws.plan.nodes import AUTOSCALER_TEMPLATE, plan_eks_gpu_pool, plan_eks_system_pool
from inferstack.planning.scheduling import IMAGE_ALLOWANCE_GIB, MIN_GPU_DISK_GIB, default_gpu_disk_gib
from inferstack.spec import EnvironmentSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_KEY, POOL_LABEL
from tests.aws.conftest import PlannedStack

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def spec(pool: dict[str, object], zones: list[str] | None = None) -> EnvironmentSpec:
    return EnvironmentSpec.model_validate(
        {
            "name": "t",
            "cloud": "aws",
            "region": "us-east-1",
            "zones": zones or ["use1-az1", "use1-az2", "use1-az4"],
            "node_pools": {"gpu": pool},
        }
    )


def test_gpu_pool_taint_labels_and_autoscaler_templates() -> None:
    plan = plan_eks_gpu_pool(spec({"gpu": "nvidia-l4", "max": 3, "labels": {"team": "search"}}), "gpu")
    assert [(t.key, t.effect) for t in plan.scheduling.taints] == [(GPU_TAINT_KEY, "NoSchedule")]
    assert plan.scheduling.labels == {POOL_LABEL: "gpu", GPU_LABEL: "nvidia-l4", "team": "search"}
    assert plan.autoscaler_tags[f"{AUTOSCALER_TEMPLATE}/label/{POOL_LABEL}"] == "gpu"
    assert plan.autoscaler_tags[f"{AUTOSCALER_TEMPLATE}/label/team"] == "search"
    assert plan.autoscaler_tags[f"{AUTOSCALER_TEMPLATE}/taint/{GPU_TAINT_KEY}"] == "true:NoSchedule"


@pytest.mark.parametrize(("minimum", "maximum"), [(0, 2), (1, 4)])
def test_initial_desired_size_is_the_minimum(minimum: int, maximum: int) -> None:
    plan = plan_eks_gpu_pool(spec({"gpu": "nvidia-l4", "min": minimum, "max": maximum}), "gpu")
    assert (plan.min_size, plan.desired_size, plan.max_size) == (minimum, minimum, maximum)


def test_spot_pools_diversify_over_types_with_the_same_gpus() -> None:
    plan = plan_eks_gpu_pool(spec({"gpu": "nvidia-l4", "max": 2, "capacity": "spot"}), "gpu")
    assert plan.capacity_type == "SPOT" and len(plan.instance_types) > 1
    types = catalog.instance_types("aws")
    assert {(types[t].gpu, types[t].gpus) for t in plan.instance_types} == {("nvidia-l4", 1)}
    assert plan.instance_types[0] == catalog.gpu_instance_types("aws", "nvidia-l4", 1, "us-east-1")[0][0]


@pytest.mark.parametrize(
    "pool",
    [
        {"gpu": "nvidia-l4", "max": 2, "capacity": "on_demand"},
        {"gpu": "nvidia-l4", "max": 2, "capacity": "spot", "instance_type": "g6.2xlarge"},
    ],
)
def test_on_demand_and_explicit_types_stay_single(pool: dict[str, object]) -> None:
    plan = plan_eks_gpu_pool(spec(pool), "gpu")
    assert len(plan.instance_types) == 1
    assert plan.instance_types[0] == pool.get("instance_type", plan.instance_types[0])


def test_pool_zones_are_those_offering_the_type() -> None:
    plan = plan_eks_gpu_pool(spec({"gpu": "nvidia-h100-sxm", "gpus_per_node": 8, "max": 1}), "gpu")
    offered = catalog.instance_types("aws")[plan.instance_types[0]].regions["us-east-1"].zones
    assert plan.zones and set(plan.zones) <= set(offered)
    limited = plan_eks_gpu_pool(spec({"gpu": "nvidia-l4", "max": 1, "zones": ["use1-az2"]}), "gpu")
    assert limited.zones == ("use1-az2",)


@pytest.mark.parametrize(("gpu", "count", "expected"), [("nvidia-l4", 1, 100), ("nvidia-h100-sxm", 8, 700)])
def test_default_disk_holds_image_and_weights(gpu: str, count: int, expected: int) -> None:
    name, itype = catalog.gpu_instance_types("aws", gpu, count, "us-east-1")[0]
    size = default_gpu_disk_gib("aws", itype)
    assert size == expected and size >= MIN_GPU_DISK_GIB
    assert size >= IMAGE_ALLOWANCE_GIB + catalog.gpus()[gpu].memory_gib * count, name
    assert (
        plan_eks_gpu_pool(spec({"gpu": gpu, "gpus_per_node": count, "disk_gib": 333}), "gpu").scheduling.disk_gib == 333
    )


def test_system_pool_is_on_demand_cpu_without_taints() -> None:
    plan = plan_eks_system_pool(spec({"gpu": "nvidia-l4"}))
    assert plan.ami_type == "AL2023_x86_64_STANDARD" and plan.capacity_type == "ON_DEMAND"
    scheduling = plan.scheduling
    assert scheduling.taints == () and scheduling.labels == {POOL_LABEL: "system"} and scheduling.gpu is None
    assert plan.zones == ("use1-az1", "use1-az2", "use1-az4")


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_launch_templates_are_hardened(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    templates = aws_stacks[stack].plan.of_type(LAUNCH_TEMPLATE)
    assert templates
    for template in templates:
        metadata = template.inputs["metadataOptions"]
        assert metadata["httpTokens"] == "required" and metadata["httpPutResponseHopLimit"] == 1
        (root,) = template.inputs["blockDeviceMappings"]
        assert root["ebs"]["encrypted"] == "true" and root["ebs"]["volumeType"] == "gp3"
        assert template.inputs["monitoring"] == {"enabled": False}
        kinds = {spec["resourceType"] for spec in template.inputs["tagSpecifications"]}
        assert {"instance", "volume"} <= kinds
        assert "keyName" not in template.inputs
        if "userData" in template.inputs:
            # Only a local_nvme pool (aws-prod's GPU pools) has user data: nodeadm's RAID0 of the instance store.
            assert stack == "aws-prod" and not template.name.startswith("prod-system")
            text = base64.b64decode(template.inputs["userData"]).decode()
            assert "kind: NodeConfig" in text and "strategy: RAID0" in text
    with_user_data = [t.name for t in templates if "userData" in t.inputs]
    assert len(with_user_data) == {"aws-dev": 0, "aws-prod": 0}[stack], with_user_data


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_node_groups_use_their_template_and_leave_desired_size_to_the_autoscaler(
    aws_stacks: dict[str, PlannedStack], stack: str
) -> None:
    planned = aws_stacks[stack]
    templates = {t.id for t in planned.plan.of_type(LAUNCH_TEMPLATE)}
    groups = planned.plan.of_type(NODE_GROUP)
    assert len(groups) == len(templates)
    for group in groups:
        assert group.inputs["launchTemplate"]["id"] in templates
        assert group.options.ignore_changes == (DESIRED_SIZE_PATH, *NODE_GROUP_NAME_PATHS)
        # A prefix, not a fixed name: a replacement group is created before the old one is deleted.
        prefix = group.inputs["nodeGroupNamePrefix"]
        assert "nodeGroupName" not in group.inputs and prefix.endswith("-") and len(prefix) <= NODE_GROUP_PREFIX_MAX
        gpu = group.inputs["amiType"].endswith("NVIDIA")
        assert bool(group.inputs["taints"]) is gpu
        if gpu:
            assert group.inputs["taints"] == [{"key": GPU_TAINT_KEY, "value": "true", "effect": "NO_SCHEDULE"}]
            assert set(group.inputs["labels"]) >= {POOL_LABEL, GPU_LABEL}


def test_empty_pools_can_scale_from_zero(aws_stacks: dict[str, PlannedStack]) -> None:
    dev = aws_stacks["aws-dev"]
    group = dev.one(NODE_GROUP, "aws-dev-pool-l4-nodes")
    assert group.inputs["scalingConfig"]["minSize"] == 0
    asg_tags = {t.inputs["tag"]["key"]: t.inputs["tag"]["value"] for t in dev.plan.of_type("aws:autoscaling/tag:Tag")}
    assert asg_tags[f"{AUTOSCALER_TEMPLATE}/taint/{GPU_TAINT_KEY}"] == "true:NoSchedule"
    assert asg_tags[f"{AUTOSCALER_TEMPLATE}/label/{GPU_LABEL}"] == "nvidia-l4"


def test_autoscaler_chart_is_pinned_and_runs_on_the_system_pool(aws_stacks: dict[str, PlannedStack]) -> None:
    release = aws_stacks["aws-prod"].one("kubernetes:helm.sh/v3:Release", "prod-autoscaler-release")
    values = release.inputs["values"]
    assert release.inputs["version"] and values["image"]["tag"].startswith("v1.35.")
    assert values["autoDiscovery"]["clusterName"] == "prod" and values["nodeSelector"] == {POOL_LABEL: "system"}
    assert values["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith("autoscaler-role")
    assert values["extraArgs"]["skip-nodes-with-local-storage"] is False


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_vpc_cni_enforces_network_policies_and_comes_before_every_node_group(
    aws_stacks: dict[str, PlannedStack], stack: str
) -> None:
    planned = aws_stacks[stack]
    addons = {a.inputs["addonName"]: a for a in planned.plan.of_type("aws:eks/addon:Addon")}
    cni = addons["vpc-cni"]
    # Without this key the VPC CNI runs no network policy agent and every NetworkPolicy is inert.
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert "configurationValues" not in addons["coredns"].inputs
    for group in planned.plan.of_type(NODE_GROUP):
        assert cni.urn in group.options.dependencies, group.name
    # The add-ons that run as Deployments wait for nodes instead (a cycle otherwise).
    system = [g.urn for g in planned.plan.of_type(NODE_GROUP) if not g.inputs["amiType"].endswith("NVIDIA")]
    assert set(system) <= set(addons["coredns"].options.dependencies)


@pytest.mark.parametrize("base", ["dev-l4", "a" * 20 + "-" + "b" * 20, "x" * 36 + "-y"])
def test_node_group_prefixes_fit_eks_and_end_in_one_dash(base: str) -> None:
    prefix = node_group_name_prefix(base)
    assert len(prefix) <= NODE_GROUP_PREFIX_MAX and prefix.endswith("-") and not prefix.endswith("--")
    assert base.startswith(prefix.rstrip("-"))
