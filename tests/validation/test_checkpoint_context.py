"""Each checkpoint's own context limit: refused above it, and the context a stack runs at when it sets none."""

from __future__ import annotations

import pytest

from inferstack import catalog
from inferstack.planning.model_fit import spec_model_fit
from inferstack.spec.models import ModelSpec
from inferstack.validation import parse_environment
from inferstack.validation.precision import context_issue
from tests.validation.test_context_and_precision import env, issues

QWEN3_32B = "hf://Qwen/Qwen3-32B@" + "a" * 40
QWEN25_32B = "hf://Qwen/Qwen2.5-32B@" + "b" * 40
QWEN25_32B_INSTRUCT = "hf://Qwen/Qwen2.5-32B-Instruct@" + "c" * 40
QWEN25_7B = "hf://Qwen/Qwen2.5-7B@" + "d" * 40
QWEN25_7B_INSTRUCT = "hf://Qwen/Qwen2.5-7B-Instruct@" + "e" * 40


def test_qwen3_dense_models_are_held_to_their_40960_positions() -> None:
    found = issues(env({"source": QWEN3_32B, "tensor_parallel": 2, "max_model_len": 131072}, "nvidia-h100-sxm"))
    assert found == {
        "environment.models.m.max_model_len": "131072 tokens is above the 40960-token context of Qwen3 32B "
        "(max_position_embeddings of its config.json): vLLM refuses to start — use at most 40960"
    }


def test_a_base_checkpoint_keeps_the_longer_context_of_its_own_config() -> None:
    parse_environment(env({"source": QWEN25_32B, "tensor_parallel": 2, "max_model_len": 65536}, "nvidia-h100-sxm"), "t")
    found = issues(
        env({"source": QWEN25_32B_INSTRUCT, "tensor_parallel": 2, "max_model_len": 65536}, "nvidia-h100-sxm")
    )
    assert list(found) == ["environment.models.m.max_model_len"]
    assert "above the 32768-token context of Qwen2.5 32B" in found["environment.models.m.max_model_len"]


def test_without_max_model_len_a_stack_is_sized_at_the_context_its_checkpoint_serves() -> None:
    # vLLM serves the limit it derives from the checkpoint's config.json: 32768 tokens for the instruct release,
    # 131072 for the base model, whose one full-length sequence does not fit an L4 beside the weights.
    instruct = parse_environment(env({"source": QWEN25_7B_INSTRUCT}), "t")
    fit = spec_model_fit(instruct, "m")
    assert fit is not None and fit.fit.fits and fit.context == 32768
    found = issues(env({"source": QWEN25_7B}))
    assert "one 131072-token sequence" in found["environment.models.m"]


def test_every_shape_context_is_a_limit_one_of_its_checkpoints_has() -> None:
    for key, shape in catalog.model_shapes().items():
        if shape.context_limit is None:
            continue
        limits = {shape.context_limit.max_position_embeddings, *shape.context_limit.hub_ids.values()}
        assert shape.context in limits, (key, shape.context, limits)


def _limits() -> list[tuple[str, int]]:
    """Every published checkpoint the catalog records a context limit for, with that limit."""
    found = []
    for shape in catalog.model_shapes().values():
        if shape.context_limit is None:
            continue
        own = {hub.lower(): tokens for hub, tokens in shape.context_limit.hub_ids.items()}
        found += [(hub, own.get(hub.lower(), shape.context_limit.max_position_embeddings)) for hub in shape.hub_ids]
    return found


@pytest.mark.parametrize(("hub", "limit"), _limits())
def test_each_checkpoint_is_refused_one_token_past_its_limit(hub: str, limit: int) -> None:
    def asking(tokens: int) -> ModelSpec:
        return ModelSpec.model_validate({"pool": "gpu", "source": f"hf://{hub}@{'a' * 40}", "max_model_len": tokens})

    assert context_issue(asking(limit)) is None
    over = context_issue(asking(limit + 1))
    assert over is not None and f"above the {limit}-token context" in over[0]
