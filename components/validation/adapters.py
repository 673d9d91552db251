"""LoRA adapters: only where vLLM's GPU engine serves them and the planner can count their memory, names unique."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.capacity import spec_model_shape
from inferstack.planning.served_names import primary_name
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path


def check_adapters(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Adapters on vLLM GPU models with a dense shape; `lora:` only beside adapters; every served name unique."""
    # Models' own names claim first, then adapters in model order: a clash is reported on the adapter. A name is
    # owned by a route (the primary name), so two revisions split by the gateway may carry the same adapters.
    owners: dict[str, tuple[str, str]] = {}
    for key, model in sorted(spec.models.items()):
        owners.setdefault(primary_name(key, model), (key, primary_name(key, model)))
    for key, model in sorted(spec.models.items()):
        for name in sorted(model.adapters):
            owners.setdefault(name, (key, primary_name(key, model)))
    for key, model in sorted(spec.models.items()):
        base = ("models", key)
        if model.lora is not None and not model.adapters:
            yield SpecIssue(
                field_path(*base, "lora"),
                "is set but the model has no adapters: vLLM would preallocate slots nothing uses",
                "add adapters: {name: hf://org/repo@<commit>}, or remove lora",
            )
        if not model.adapters:
            continue
        if model.engine != "vllm":
            yield SpecIssue(
                field_path(*base, "adapters"),
                f"LoRA adapters are served by the vllm GPU engine only, not {model.engine}",
                "use engine: vllm on a GPU pool, or remove adapters",
            )
        found = spec_model_shape(model)
        if found is not None and found[1].active_b < found[1].params_b:
            # vLLM gives every expert its own LoRA slots; the planner does not count them, so it would overcommit.
            yield SpecIssue(
                field_path(*base, "adapters"),
                f"{found[0]} is a mixture-of-experts model: its per-expert LoRA memory is not planned",
                "serve adapters on a dense model, or remove adapters",
            )
        if model.lora is not None and model.lora.max_loras is not None and model.lora.max_loras > len(model.adapters):
            yield SpecIssue(
                field_path(*base, "lora", "max_loras"),
                f"{model.lora.max_loras} slots for {len(model.adapters)} adapters: the extra ones only hold GPU memory",
                f"set max_loras at most {len(model.adapters)}, or leave it out",
            )
        own = primary_name(key, model)
        for adapter in sorted(model.adapters):
            if adapter == own:
                yield SpecIssue(
                    field_path(*base, "adapters", adapter),
                    f"has the model's own served name {own!r}: requests could not choose the base model",
                    "rename the adapter",
                )
            elif owners[adapter][1] != own:
                yield SpecIssue(
                    field_path(*base, "adapters", adapter),
                    f"is also a model name of model {owners[adapter][0]!r}: one endpoint could not route it",
                    "rename the adapter",
                )
