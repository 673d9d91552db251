"""`gpu: auto` and `tensor_parallel: auto`: the cheapest option that fits and meets the objectives, with its reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from inferstack import catalog
from inferstack.planning.capacity import spec_model_shape
from inferstack.planning.serving import Price, size
from inferstack.planning.spec_request import request_for
from inferstack.spec import ModelSpec, SpecError, tensor_parallel_of
from inferstack.validation import parse_environment_explained

QWEN_72B = "hf://Qwen/Qwen2.5-72B-Instruct@495f39366efef23836d0cfae4fbe635880d2be31"
QWEN_7B = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"
UNKNOWN = "hf://acme/mystery-model@0123456789abcdef0123456789abcdef01234567"


def document(**models: dict[str, Any]) -> dict[str, Any]:
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"gpu": {"gpu": "auto", "max": 2}},
        "models": models
        or {
            "big": {
                "source": QWEN_72B,
                "pool": "gpu",
                "tensor_parallel": "auto",
                "max_model_len": 8192,
                "load": {"requests_per_second": 2, "ttft_ms": 2000, "tpot_ms": 80},
            }
        },
    }


def usd_per_million(model: ModelSpec, gpu: str, tp: int, instance: str) -> float | None:
    """GPU cost per 1M output tokens of `model` at `tp` GPUs of an `instance` node (None: does not fit)."""
    found = spec_model_shape(model)
    assert found is not None
    itype = catalog.instance_types("aws")[instance]
    usd = itype.regions["us-east-1"].on_demand_usd_per_hour
    price = Price("aws", "us-east-1", instance, "on_demand", usd, itype.gpus, usd * tp / itype.gpus, "")
    result = size(request_for(model, found[1], gpu=gpu, tp=tp), price, "aws")
    return result.usd_per_million_tokens if result.fit.fits else None


def test_auto_pool_and_tp_choose_a_fitting_option_and_say_why() -> None:
    spec, choices = parse_environment_explained(document(), "dev")
    pool, model = spec.node_pools["gpu"], spec.models["big"]
    assert pool.gpu in catalog.gpus() and pool.instance_type is not None
    itype = catalog.instance_types("aws")[pool.instance_type]
    assert (itype.gpu, itype.gpus) == (pool.gpu, pool.gpus_per_node)
    assert pool.gpus_per_node % tensor_parallel_of(model) == 0
    assert [c.path for c in choices] == ["environment.node_pools.gpu.gpu", "environment.models.big.tensor_parallel"]
    assert pool.instance_type in choices[0].reason and "cheapest of" in choices[0].reason


def test_auto_is_no_more_expensive_than_hand_picked_options() -> None:
    spec, _ = parse_environment_explained(document(), "dev")
    pool, model = spec.node_pools["gpu"], spec.models["big"]
    assert pool.instance_type is not None
    chosen = usd_per_million(model, pool.gpu, tensor_parallel_of(model), pool.instance_type)
    assert chosen is not None
    for gpu, tp, instance in [("nvidia-h100-sxm", 4, "p5.48xlarge"), ("nvidia-a100-80gb", 4, "p4de.24xlarge")]:
        other = usd_per_million(model.model_copy(update={"tensor_parallel": tp}), gpu, tp, instance)
        assert other is None or chosen <= other + 1e-9


def test_auto_is_deterministic_and_leaves_the_document_alone() -> None:
    original = document()
    kept = copy.deepcopy(original)
    first = parse_environment_explained(original, "dev")
    assert original == kept
    assert parse_environment_explained(original, "dev") == first


def test_tensor_parallel_auto_on_a_fixed_pool() -> None:
    doc = document(small={"source": QWEN_7B, "pool": "gpu", "tensor_parallel": "auto", "max_model_len": 8192})
    doc["node_pools"] = {"gpu": {"gpu": "nvidia-l4", "gpus_per_node": 8, "max": 1}}
    spec, (choice,) = parse_environment_explained(doc, "dev")
    model = spec.models["small"]
    costs = {
        tp: usd_per_million(model.model_copy(update={"tensor_parallel": tp}), "nvidia-l4", tp, "g6.48xlarge")
        for tp in (1, 2, 4, 8)
    }
    best = min((cost, tp) for tp, cost in costs.items() if cost is not None)
    assert model.tensor_parallel == best[1]
    assert choice.path == "environment.models.small.tensor_parallel" and choice.value == str(best[1])


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (
            lambda d: d["models"].update(other={"source": QWEN_7B, "pool": "gpu"}),
            "environment.node_pools.gpu.gpu",
            "exactly one model",
        ),
        (lambda d: d["models"]["big"].update(source=UNKNOWN), "environment.node_pools.gpu.gpu", "needs the shape"),
        (
            lambda d: d["models"]["big"].update(load={"requests_per_second": 1, "ttft_ms": 1, "tpot_ms": 1}),
            "environment.node_pools.gpu.gpu",
            "meets its objectives",
        ),
    ],
)
def test_auto_that_cannot_be_chosen_is_a_clear_error(change: Any, path: str, fragment: str) -> None:
    doc = document()
    change(doc)
    with pytest.raises(SpecError) as caught:
        parse_environment_explained(doc, "dev")
    matching = [issue for issue in caught.value.issues if issue.path == path]
    assert matching and fragment in matching[0].message, caught.value
    assert not any("unknown GPU 'auto'" in issue.message for issue in caught.value.issues)
