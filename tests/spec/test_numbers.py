"""Every number in a stack file is finite and bounded: .inf, .nan, 10**400 and negatives are refused at their path."""

from __future__ import annotations

import copy
import math
from typing import Any, get_args

import pytest
import yaml

from inferstack.spec import SpecError, validate_fields
from inferstack.spec.issues import model_in
from inferstack.spec.models import EnvironmentSpec
from tests.spec.test_fields import MODELS

# A document in which every nested model is present, so that every numeric field has a place to be put.
FULL: dict[str, Any] = yaml.safe_load(
    """
cloud: aws
region: us-east-1
cluster: {log_retention_days: 30, system_pool: {min: 2, max: 3}}
node_pools:
  l4: {gpu: nvidia-l4, gpus_per_node: 1, min: 0, max: 2, disk_gib: 200, capacity: [on_demand, reserved],
       reservations: {block: {id: cr-0123456789abcdef0, zone: use1-az1, count: 1}},
       existing: {nodes: 2, vcpus: 8, memory_gib: 32, taints: [{key: nvidia.com/gpu}]}}
model_store: {noncurrent_version_days: 30}
models:
  chat:
    source: hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28
    pool: l4
    replicas: {min: 1, max: 2}
    tensor_parallel: 1
    max_model_len: 8192
    gpu_memory_utilization: 0.9
    autoscale: {queue_depth: 4, kv_cache_utilization: 0.8}
    shape: {params_b: 7.6, active_params_b: 7.6, layers: 28, hidden_size: 3584, attention_heads: 28,
            kv_heads: 4, head_dim: 128, vocab_size: 152064, context: 32768, weight_bits: 16}
    load: {requests_per_second: 2, prompt_tokens: 1000, output_tokens: 250, ttft_ms: 500, tpot_ms: 50}
    adapters: {sql: hf://example-org/qwen2.5-7b-sql-lora@1111111111111111111111111111111111111111}
    lora: {max_rank: 16, max_loras: 1}
budget: {monthly_usd: 3000}
monitoring: {retention_days: 15, storage_gib: 50, smoke_test: {max_tokens: 16}}
gateway: {replicas: 2, clients: {app: {api_key_secret: appKey, tokens_per_minute: 1000, requests_per_minute: 10}}}
"""
)
# Where each model sits in FULL (dict values by the key FULL uses).
PLACES: dict[str, tuple[str, ...]] = {
    "EnvironmentSpec": (),
    "ClusterSpec": ("cluster",),
    "SystemPoolSpec": ("cluster", "system_pool"),
    "NodePoolSpec": ("node_pools", "l4"),
    "ColdStartSpec": ("node_pools", "l4", "cold_start"),
    "ReservationSpec": ("node_pools", "l4", "reservations", "block"),
    "ExistingNodesSpec": ("node_pools", "l4", "existing"),
    # Inside a list; it has no numbers, so no test puts a value there.
    "NodeTaintSpec": ("node_pools", "l4", "existing", "taints"),
    "ModelStoreSpec": ("model_store",),
    "ModelSpec": ("models", "chat"),
    "ReplicasSpec": ("models", "chat", "replicas"),
    "AutoscaleSpec": ("models", "chat", "autoscale"),
    "ModelShapeSpec": ("models", "chat", "shape"),
    "LoadSpec": ("models", "chat", "load"),
    "BudgetSpec": ("budget",),
    "NetworkSpec": ("network",),
    "LoadBalancerSpec": ("models", "chat", "load_balancer"),
    "StagingSpec": ("models", "chat", "staging"),
    "LoraSpec": ("models", "chat", "lora"),
    "MonitoringSpec": ("monitoring",),
    "SmokeTestSpec": ("monitoring", "smoke_test"),
    "ReceiverSpec": ("monitoring", "receivers", "oncall"),
    "GatewaySpec": ("gateway",),
    "GatewayTlsSpec": ("gateway", "tls"),
    "GatewayClientSpec": ("gateway", "clients", "app"),
    "RouteSpec": ("models", "chat", "route"),
}


def _numeric(annotation: Any) -> bool:
    if annotation in (int, float):
        return True
    return any(_numeric(arg) for arg in get_args(annotation) if arg is not bool)


def numeric_fields() -> list[tuple[tuple[str, ...], str]]:
    """(place of the model, field name) of every int or float field of every spec model."""
    out = []
    for model in MODELS:
        for name, field in model.model_fields.items():
            if model_in(field.annotation) is None and _numeric(field.annotation):
                out.append((PLACES[model.__name__], name))
    return out


FIELDS = numeric_fields()
BAD = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan, "10**400": 10**400, "-1": -1}


def test_the_walk_finds_the_numbers_of_every_nested_model() -> None:
    assert {(p[-1] if p else "", n) for p, n in FIELDS} >= {
        ("l4", "max"),
        ("system_pool", "min"),
        ("shape", "params_b"),
        ("load", "requests_per_second"),
        ("chat", "tensor_parallel"),
        ("budget", "monthly_usd"),
        ("autoscale", "kv_cache_utilization"),
    }
    assert set(PLACES) == {m.__name__ for m in MODELS}, "add the new model's place to PLACES"


def test_the_full_document_is_valid() -> None:
    assert isinstance(validate_fields(FULL, "dev"), EnvironmentSpec)


@pytest.mark.parametrize("bad", list(BAD), ids=list(BAD))
@pytest.mark.parametrize(("place", "name"), FIELDS, ids=[".".join((*p, n)) for p, n in FIELDS])
def test_every_number_refuses_non_finite_huge_and_negative_values(place: tuple[str, ...], name: str, bad: str) -> None:
    document = copy.deepcopy(FULL)
    target = document
    for part in place:
        target = target.setdefault(part, {})
    target[name] = BAD[bad]
    with pytest.raises(SpecError) as raised:
        validate_fields(document, "dev")
    path = ".".join(("environment", *place, name))
    assert [issue.path for issue in raised.value.issues] == [path]


def test_a_huge_integer_is_quoted_by_its_size() -> None:
    document = copy.deepcopy(FULL)
    document["node_pools"]["l4"]["max"] = 10**400
    with pytest.raises(SpecError) as raised:
        validate_fields(document, "dev")
    assert [str(issue) for issue in raised.value.issues] == [
        "environment.node_pools.l4.max: input should be less than or equal to 1000 (got a 401-digit number)"
        " — Maximum nodes; default: 1."
    ]


def test_yaml_inf_is_refused_with_its_path() -> None:
    document = copy.deepcopy(FULL)
    document["models"]["chat"]["load"] = yaml.safe_load("{requests_per_second: .inf}")
    with pytest.raises(SpecError) as raised:
        validate_fields(document, "dev")
    assert [str(issue) for issue in raised.value.issues] == [
        "environment.models.chat.load.requests_per_second: input should be a finite number (got inf)"
        " — Expected requests per second at peak; required."
    ]


@pytest.mark.parametrize("key", ["int", "str", "numbers", "none"])
def test_a_key_spelled_like_a_union_tag_keeps_its_place_in_the_path(key: str) -> None:
    document = copy.deepcopy(FULL)
    document["models"] = {key: {**document["models"]["chat"], "replicas": {"max": 10**400}}}
    with pytest.raises(SpecError) as raised:
        validate_fields(document, "dev")
    assert [issue.path for issue in raised.value.issues] == [f"environment.models.{key}.replicas.max"]
