"""Packing replicas onto nodes and choosing the rollout strategy: pure functions, checked by properties."""

from __future__ import annotations

import copy

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from inferstack import catalog
from inferstack.k8s.placement import allocatable, pod_shape
from inferstack.planning.fit import REPLACE, SURGE, nodes_needed, replicas_per_node, rollout_strategy
from inferstack.planning.scheduling import schedule_gpu_pool, target_pool
from inferstack.spec import CONFIG_KEY, NodePoolSpec
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks


def test_replicas_per_node() -> None:
    assert [replicas_per_node(8, tp) for tp in (1, 2, 4, 8, 16)] == [8, 4, 2, 1, 0]


def test_nodes_needed_packs_mixed_degrees() -> None:
    assert nodes_needed(8, [(4, 3), (1, 4)]) == 2
    assert nodes_needed(8, [(4, 4), (1, 1)]) == 3
    assert nodes_needed(8, [(8, 0)]) == 0
    assert nodes_needed(4, [(8, 1)]) is None


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.sampled_from([1, 2, 4, 8]),
    st.lists(st.tuples(st.sampled_from([1, 2, 4, 8]), st.integers(0, 6)), max_size=4),
)
def test_nodes_needed_is_the_gpu_lower_bound_for_power_of_two_degrees(gpus: int, replicas: list) -> None:
    fitting = [(tp, count) for tp, count in replicas if tp <= gpus]
    total = sum(tp * count for tp, count in fitting)
    assert nodes_needed(gpus, fitting) == -(-total // gpus)


def test_cpu_and_memory_never_bind_before_gpus() -> None:
    # fit.py counts GPUs only: a node full of the smallest replicas must fit its allocatable CPU and memory.
    for cloud in ("aws", "gcp"):
        for name, itype in catalog.instance_types(cloud).items():
            if itype.gpu is None:
                continue
            pool = NodePoolSpec(gpu=itype.gpu, gpus_per_node=itype.gpus)
            target = target_pool(schedule_gpu_pool(cloud, "p", pool, itype))
            shape = pod_shape(target, 1)
            vcpus, memory_gib = allocatable(target)
            assert shape.millicpu * itype.gpus <= vcpus * 1000, name
            assert shape.memory_mib * itype.gpus <= memory_gib * 1024, name


def test_rollout_surges_only_when_a_surge_replica_fits() -> None:
    document = yaml.safe_load(shipped_stacks()["aws-dev"].read_text())["config"][CONFIG_KEY]
    assert rollout_strategy(parse_environment(document, "t"), "chat") == REPLACE
    roomy = copy.deepcopy(document)
    roomy["node_pools"]["l4"]["max"] = 3
    assert rollout_strategy(parse_environment(roomy, "t"), "chat") == SURGE
