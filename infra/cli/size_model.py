"""Which model `inferstack size` sizes: a catalog key, a config.json (a file, or a hub id in the local cache) or
inline `--shape` numbers, each of them adjustable with `--shape KEY=VALUE`.

Only reads options and files and reports bad input (exit 2, naming the option); the numbers come from planning/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from inferstack import catalog
from inferstack.infra.cli.common import fail
from inferstack.planning.model_shape import Shape
from inferstack.planning.precision import SIZED_AS, Checkpoint
from inferstack.spec.model_parts import ModelShapeSpec

if TYPE_CHECKING:
    from inferstack.planning.serving import Request

SHAPE_KEYS = tuple(ModelShapeSpec.model_fields)
# Quantization methods `--dtype` can name; a checkpoint in another method (mxfp4, compressed-tensors) loads as is.
REQUESTABLE = ("fp8", "awq", "gptq", "modelopt_fp4")


@dataclass(frozen=True)
class SizedModel:
    """The model to size: its display name, shape, checkpoint, catalog key (if any) and context limit."""

    name: str
    shape: Shape
    checkpoint: Checkpoint
    catalog_key: str | None
    max_context: int | None
    config_quantization: str | None = None


def _number(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        fail(f"--shape {key}: {text!r} is not a number — write KEY=NUMBER, e.g. --shape kv_heads=8")
    return int(value) if value.is_integer() else value


def shape_options(values: list[str]) -> dict[str, float]:
    """`--shape KEY=VALUE` options (each may hold several, comma-separated) as a mapping."""
    out: dict[str, float] = {}
    for item in (part.strip() for value in values for part in value.split(",")):
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            fail(f"--shape: {item!r} is not KEY=VALUE — e.g. --shape kv_heads=8 (keys: {', '.join(SHAPE_KEYS)})")
        out[key.strip()] = _number(key.strip(), text.strip())
    return out


def _validated(fields: dict[str, Any], source: str) -> Shape:
    from inferstack.planning.capacity import shape_of
    from inferstack.validation.models import shape_issues

    try:
        spec = ModelShapeSpec.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "shape"
        missing = first["type"] == "missing"
        fix = f"add --shape {key}=VALUE" if missing else f"correct it with --shape {key}=VALUE"
        fail(f"--shape {key}: {'required' if missing else first['msg']} ({source}) — {fix}")
    issues = list(shape_issues(spec))
    if issues:
        issue = issues[0]
        # The check names a stack path (environment.…); here the field is the --shape key.
        fail(f"--shape {issue.path.rsplit('.', 1)[-1]}: {issue.message} ({source}) — {issue.fix}")
    return shape_of(spec)


def _with_modelopt_quant_config(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """The config with its folder's hf_quant_config.json as quantization_config when it has none, as vLLM reads it.

    ModelOpt 0.29 and earlier write their settings to hf_quant_config.json beside config.json (vLLM 0.16
    transformers_utils/config.py loads it as the config's quantization_config when the config has none).
    """
    beside = path.parent / "hf_quant_config.json"
    if "quantization_config" in raw or not beside.is_file():
        return raw
    return {**raw, "quantization_config": _json_object(beside, "correct or remove that file")}


def _json_object(path: Path, fix: str) -> dict[str, Any]:
    """The JSON object a --model-config file holds (exit 2 naming the file and `fix` when it holds none)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        fail(f"--model-config: cannot read {path} as JSON ({error}) — {fix}")
    if not isinstance(raw, dict):
        fail(f"--model-config: {path} is not a JSON object — {fix}")
    return raw


def _from_config(path: Path, name: str | None, overrides: dict[str, float]) -> SizedModel:
    from inferstack.planning.hf_config import ConfigProblem, read_config

    raw = _with_modelopt_quant_config(_json_object(path, "give the path of a config.json"), path)
    try:
        config = read_config(raw, overrides)
    except ConfigProblem as problem:
        fail(f"--model-config {problem.key}: {problem.problem} ({path}) — {problem.fix}")
    shape = _validated(config.fields, str(path))
    # A config.json is named by its model's folder; any other file by its own name (a relative path has no parent name).
    folder = path.resolve().parent.name if path.name == "config.json" else path.stem
    title = name or str(raw.get("_name_or_path") or folder or path.name)
    # Meta's fbgemm_fp8 is sized as fp8 (precision.SIZED_AS); vLLM reads it from the config and refuses another method.
    method = config.quantization if config.quantization in (*REQUESTABLE, *SIZED_AS) else None
    kept = config.kept_16bit_params_b if method is not None else 0.0
    # shape.weight_bits averages every stored parameter; the checkpoint's bits are those of the rest, kept layers aside.
    rest = (shape.weight_bits * shape.params_b - 16 * kept) / (shape.params_b - kept) if kept else shape.weight_bits
    checkpoint = Checkpoint(title, method, rest, kept, config.kv_cache_dtype if method is not None else None)
    return SizedModel(title, shape, checkpoint, None, shape.context, config.quantization)


def sized_model(model: str | None, model_config: Path | None, shape: list[str]) -> SizedModel:
    """The model the options name (exit 2 with the option and the fix when they name none or a bad one)."""
    from inferstack.infra.hf_cache import CacheMiss, cached_config
    from inferstack.planning.capacity import model_shape
    from inferstack.planning.context import context_limit_of
    from inferstack.planning.precision import checkpoint_of

    overrides = shape_options(shape)
    if model_config is not None:
        return _from_config(model_config, model, overrides)
    found = model_shape(model) if model else None
    if found is not None and model is not None:
        key, base = found
        if overrides:
            entry = catalog.model_shapes()[key].model_dump(include=set(SHAPE_KEYS))
            unknown = sorted(set(overrides) - set(SHAPE_KEYS))
            if unknown:
                fail(f"--shape {unknown[0]}: not a shape key of a catalog model — use one of {', '.join(SHAPE_KEYS)}")
            base = _validated({**entry, **overrides}, f"catalog {key} with --shape")
        return SizedModel(model, base, checkpoint_of(model, base), key, context_limit_of(model))
    if model and "/" in model:
        try:
            return _from_config(cached_config(model), model, overrides)
        except CacheMiss as miss:
            fail(f"--model: {model!r} is neither in the catalog nor usable from the cache: {miss}")
    if overrides:
        source = "--shape only" if model is None else f"{model} is not in the catalog: --shape gives every number"
        inline = _validated(overrides, source)
        title = model or "inline shape"
        return SizedModel(title, inline, Checkpoint(title, None, inline.weight_bits), None, None)
    known = ", ".join(sorted(catalog.model_shapes()))
    what = f"unknown model {model!r}" if model else "no model given"
    fail(f"--model: {what} — use a catalog key or hub id ({known}), --model-config PATH, or --shape KEY=VALUE")


def with_lora(request: Request, max_loras: int, max_lora_rank: int) -> Request:
    """The request with the adapter slots vLLM preallocates for `--max-loras` at `--max-lora-rank`."""
    from dataclasses import replace
    from typing import get_args

    from inferstack.planning.lora import LoraSlots, lora_gib
    from inferstack.spec.model_parts import LoraRank

    if max_lora_rank not in get_args(LoraRank):
        choices = ", ".join(str(rank) for rank in get_args(LoraRank))
        fail(f"--max-lora-rank: vLLM accepts {choices}, not {max_lora_rank}")
    gib = lora_gib(request.shape, request.tp, LoraSlots(max_loras=max_loras, max_rank=max_lora_rank))
    return replace(request, lora_gib=gib)
