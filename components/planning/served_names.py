"""The model names a served model answers to: the one function the engine, the gateway and `/v1/models` read.

Kept apart so that other sources of names (adapters loaded beside a model) extend this function, and every
reader (the engine's --served-model-name, the gateway's routing rules) follows without a second list.
"""

from __future__ import annotations

from inferstack.spec.models import ModelSpec


def primary_name(key: str, model: ModelSpec) -> str:
    """The name the engine serves the base model under: route.name, else served_name, else the key."""
    if model.route is not None and model.route.name is not None:
        return model.route.name
    return model.served_name or key


def served_names(key: str, model: ModelSpec) -> tuple[str, ...]:
    """Every model name a request may carry to reach this model: the primary name, then its LoRA adapters (sorted).

    vLLM lists the base name and each `--lora-modules` name in `/v1/models` and runs a request whose `model` is an
    adapter name through that adapter; the gateway routes all of them to the same backend.
    """
    return (primary_name(key, model), *sorted(model.adapters))
