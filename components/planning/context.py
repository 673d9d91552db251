"""The longest context a model accepts: its config's limit, and what a documented rope scaling would allow.

vLLM refuses to start when `--max-model-len` exceeds the limit it derives from config.json
(`vllm/config/model.py`, `_get_and_verify_max_len`), so a stack asking for more can never run. The catalog records
the limit per model (`context_limit`), and per checkpoint where a shape's published configs differ (a base model's
config can allow more than its instruct release's); a model without the fact has an unknown limit and is not refused.
Without `--max-model-len` vLLM serves that same limit, so it is also the context a stack is sized at by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack import catalog
from inferstack.catalog.schema import ContextLimit, RopeScaling
from inferstack.planning.capacity import hub_id
from inferstack.spec.models import ModelSpec


@dataclass(frozen=True)
class ModelContext:
    """A model's context limit in tokens (None: unknown) and the limit a documented rope scaling would give."""

    model: str
    limit: int | None
    rope_limit: int | None = None
    rope: RopeScaling | None = None


def rope_scaled_limit(limit: int, rope: RopeScaling) -> int:
    """The limit vLLM derives with this rope scaling: YaRN scales the original context, other types the limit."""
    base = rope.original_max_position_embeddings if rope.rope_type == "yarn" else None
    return int((base or limit) * rope.factor)


def context_of(name: str, limit: ContextLimit | None, hub: str | None = None) -> ModelContext:
    """The context facts of one catalog shape (display name and its `context_limit`), for checkpoint `hub` if given."""
    if limit is None:
        return ModelContext(name, None)
    own = {key.lower(): value for key, value in limit.hub_ids.items()}.get(hub.lower()) if hub else None
    tokens = own or limit.max_position_embeddings
    rope = limit.rope_scaling
    rope_limit = rope_scaled_limit(tokens, rope) if rope is not None else None
    return ModelContext(name, tokens, rope_limit, rope)


def catalog_context(key: str, hub: str | None = None) -> ModelContext:
    """The context facts of a catalog shape by key (of checkpoint `hub` when its config differs)."""
    shape = catalog.model_shapes()[key]
    return context_of(shape.name, shape.context_limit, hub)


def context_limit_of(name: str) -> int | None:
    """The context limit of a model by catalog key or hub id; None when unknown."""
    found = catalog.model_shape(name)
    return catalog_context(found[0], name).limit if found is not None else None


def spec_model_context(model: ModelSpec) -> ModelContext:
    """A spec model's context facts: its catalog shape's limit for its checkpoint; unknown for inline shapes and
    unknown hub ids."""
    checkpoint = hub_id(model.source)
    name = model.shape if isinstance(model.shape, str) else None if model.shape is not None else checkpoint
    found = catalog.model_shape(name) if name is not None else None
    if found is None:
        return ModelContext(name or "inline shape", None)
    return context_of(found[1].name, found[1].context_limit, checkpoint)


def default_context(model: ModelSpec, shape_context: int) -> int:
    """The context a spec model runs at: its max_model_len, else the limit vLLM derives for its checkpoint (what it
    serves without --max-model-len), else the shape's own context."""
    return model.max_model_len or spec_model_context(model).limit or shape_context


def context_problem(requested: int, ctx: ModelContext) -> tuple[str, str] | None:
    """(problem, fix) when `requested` tokens exceed the model's limit; None when it fits or the limit is unknown."""
    if ctx.limit is None or requested <= ctx.limit:
        return None
    problem = (
        f"{requested} tokens is above the {ctx.limit}-token context of {ctx.model} (max_position_embeddings of its "
        "config.json): vLLM refuses to start"
    )
    fix = f"use at most {ctx.limit}"
    if ctx.rope is not None and ctx.rope_limit is not None:
        scaling = f"{ctx.rope.rope_type} rope scaling (factor {ctx.rope.factor:g})"
        if requested <= ctx.rope_limit:
            fix += (
                f"; {scaling} would allow up to {ctx.rope_limit}, but a stack cannot enable it yet "
                "(the spec has no field for vLLM's --hf-overrides rope_scaling)"
            )
        else:
            fix += f"; even {scaling} stops at {ctx.rope_limit}"
    return problem, fix
