"""The pool-scheduling decision both clouds share: what the nodes carry is what the pods are told."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inferstack import catalog
from inferstack.aws.plan.nodes import plan_eks_gpu_pool, plan_eks_system_pool
from inferstack.gcp.plan.nodes import plan_gke_gpu_pool, plan_gke_system_pool
from inferstack.k8s.placement import gpu_daemon_tolerations, node_selector, tolerations
from inferstack.planning.scheduling import (
    FIXED_GPU_DISK_GIB,
    GPU_TAINT_VALUES,
    Cloud,
    PoolPlanError,
    api_taint_effect,
    default_gpu_disk_gib,
    offered_zones,
    schedule_gpu_pool,
    schedule_system_pool,
    target_pool,
)
from inferstack.spec import EnvironmentSpec
from inferstack.spec.models import NodePoolSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_KEY, POOL_LABEL, TaintEffect

SPECS = {
    "aws": {"name": "t", "cloud": "aws", "region": "us-east-1", "zones": ["use1-az1", "use1-az2", "use1-az4"]},
    "gcp": {"name": "t", "cloud": "gcp", "region": "us-central1", "zones": ["us-central1-a", "us-central1-b"]},
}
PLANNERS: dict[Cloud, tuple[Any, Any]] = {
    "aws": (plan_eks_gpu_pool, plan_eks_system_pool),
    "gcp": (plan_gke_gpu_pool, plan_gke_system_pool),
}


def spec(cloud: Cloud, **pool: object) -> EnvironmentSpec:
    return EnvironmentSpec.model_validate(
        {**SPECS[cloud], "node_pools": {"gpu": {"gpu": "nvidia-l4", "max": 2, **pool}}}
    )


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_both_clouds_label_and_taint_gpu_pools_from_the_one_decision(cloud: Cloud) -> None:
    plan = PLANNERS[cloud][0](spec(cloud, labels={"team": "search"}), "gpu")
    scheduling = plan.scheduling
    assert scheduling.labels == {POOL_LABEL: "gpu", GPU_LABEL: "nvidia-l4", "team": "search"}
    assert [(t.key, t.value, t.effect) for t in scheduling.taints] == [
        (GPU_TAINT_KEY, GPU_TAINT_VALUES[cloud], "NoSchedule")
    ]
    pool = target_pool(scheduling)
    # The pods' placement is read from the very object that labelled and tainted the nodes.
    assert node_selector(pool) == dict(sorted(scheduling.labels.items()))
    assert tolerations(pool) == [
        {"key": GPU_TAINT_KEY, "operator": "Equal", "value": GPU_TAINT_VALUES[cloud], "effect": "NoSchedule"}
    ]
    assert (pool.gpu, pool.gpus_per_node) == ("nvidia-l4", 1)


def test_gpu_daemons_tolerate_the_gpu_taint_on_every_cloud() -> None:
    pools = {cloud: target_pool(PLANNERS[cloud][0](spec(cloud), "gpu").scheduling) for cloud in PLANNERS}
    assert gpu_daemon_tolerations(pools) == [{"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_the_system_pool_is_untainted_and_cannot_be_a_workload_target(cloud: Cloud) -> None:
    scheduling = PLANNERS[cloud][1](spec(cloud)).scheduling
    assert scheduling.taints == () and scheduling.gpu is None and scheduling.disk_gib == 50
    with pytest.raises(PoolPlanError):
        target_pool(scheduling)


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_an_explicit_disk_wins_over_the_default(cloud: Cloud) -> None:
    assert PLANNERS[cloud][0](spec(cloud, disk_gib=333), "gpu").scheduling.disk_gib == 333


def test_default_disks_still_differ_by_cloud() -> None:
    # Kept as shipped (see the module docstring): GKE's is fixed, EKS's grows with the node's GPU memory.
    _, h100 = catalog.gpu_instance_types("aws", "nvidia-h100-sxm", 8, "us-east-1")[0]
    assert default_gpu_disk_gib("aws", h100) == 700
    assert default_gpu_disk_gib("gcp", h100) == FIXED_GPU_DISK_GIB


@pytest.mark.parametrize(
    ("effect", "spelled"),
    [("NoSchedule", "NO_SCHEDULE"), ("PreferNoSchedule", "PREFER_NO_SCHEDULE"), ("NoExecute", "NO_EXECUTE")],
)
def test_eks_and_gke_apis_spell_taint_effects_alike(effect: TaintEffect, spelled: str) -> None:
    assert api_taint_effect(effect) == spelled


def test_node_facts_come_from_the_instance_type() -> None:
    name, itype = catalog.gpu_instance_types("gcp", "nvidia-l4", 1, "us-central1")[0]
    scheduling = schedule_gpu_pool("gcp", "p", NodePoolSpec(gpu="nvidia-l4"), itype)
    assert (scheduling.vcpus, scheduling.memory_gib, scheduling.gpus_per_node) == (itype.vcpus, itype.memory_gib, 1)
    cpu = catalog.instance_types("gcp")["e2-standard-4"]
    assert schedule_system_pool("gcp", cpu).labels == {} and schedule_system_pool("aws", cpu).labels == {
        POOL_LABEL: "system"
    }, name


ZONES = SPECS["aws"]["zones"]


@given(st.lists(st.sampled_from(ZONES), unique=True), st.lists(st.sampled_from([*ZONES, "use1-az3"]), unique=True))
def test_offered_zones_keep_the_environment_order(wanted: list[str], offered: list[str]) -> None:
    env = EnvironmentSpec.model_validate(SPECS["aws"])
    zones = offered_zones(env, wanted, offered)
    assert set(zones) == set(wanted) & set(offered)
    assert list(zones) == [zone for zone in ZONES if zone in zones]
