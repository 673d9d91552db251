"""Loads the catalog data files once and answers typed questions about them."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from inferstack.catalog.schema import (
    Cloud,
    EfficiencyCatalog,
    Gpu,
    InstanceType,
    ModelShape,
    Region,
    ServicePrice,
)

_M = TypeVar("_M", bound=BaseModel)

_INSTANCE_FILES: dict[Cloud, str] = {"aws": "aws_instance_types.yaml", "gcp": "gcp_machine_types.yaml"}


class CatalogError(RuntimeError):
    """A catalog data file is malformed: a bug in the shipped data, not a user mistake."""


def read_yaml(text: str) -> Any:
    """Parse YAML data safely, with libyaml's C parser when PyYAML has it (about 5× faster on the catalog)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _load(file_name: str) -> dict[str, Any]:
    text = resources.files("inferstack.catalog").joinpath("data", file_name).read_text(encoding="utf-8")
    data = read_yaml(text)
    if not isinstance(data, dict):
        raise CatalogError(f"catalog file {file_name} must hold a mapping")
    return data


def load_file(model: type[_M], file_name: str) -> _M:
    """A whole data file validated as one model; a malformed file is a CatalogError naming it."""
    try:
        return model.model_validate(_load(file_name))
    except ValidationError as exc:
        raise CatalogError(f"catalog file {file_name}: {exc}") from exc


def _parse(model: type[_M], file_name: str, entries: dict[str, Any]) -> dict[str, _M]:
    parsed: dict[str, _M] = {}
    for key, value in entries.items():
        try:
            parsed[key] = model.model_validate(value)
        except ValidationError as exc:
            raise CatalogError(f"catalog file {file_name}, entry {key!r}: {exc}") from exc
    return parsed


@cache
def gpus() -> dict[str, Gpu]:
    """Every known GPU, by catalog key (e.g. 'nvidia-l4')."""
    return _parse(Gpu, "gpus.yaml", _load("gpus.yaml"))


@cache
def regions(cloud: Cloud) -> dict[str, Region]:
    """The regions (with their zones) the catalog knows for one cloud."""
    data = _load("regions.yaml").get(cloud, {})
    return _parse(Region, "regions.yaml", data)


@cache
def instance_types(cloud: Cloud) -> dict[str, InstanceType]:
    """Every known instance type (AWS) or machine type (GCP) of one cloud, by name."""
    file_name = _INSTANCE_FILES[cloud]
    return _parse(InstanceType, file_name, _load(file_name))


def gpu_instance_types(cloud: Cloud, gpu: str, gpus_per_node: int, region: str) -> list[tuple[str, InstanceType]]:
    """Types with exactly this GPU kind and count offered in the region, cheapest on-demand first."""
    matches = [
        (name, itype)
        for name, itype in instance_types(cloud).items()
        if itype.gpu == gpu and itype.gpus == gpus_per_node and region in itype.regions
    ]
    # Ties broken by name so the choice is deterministic.
    return sorted(matches, key=lambda item: (item[1].regions[region].on_demand_usd_per_hour, item[0]))


@cache
def model_shapes() -> dict[str, ModelShape]:
    """Every known model shape, by catalog key (e.g. 'qwen2.5-7b')."""
    return _parse(ModelShape, "models.yaml", _load("models.yaml"))


@cache
def _hub_index() -> dict[str, str]:
    index = {hub_id.lower(): key for key, shape in model_shapes().items() for hub_id in shape.hub_ids}
    for key, shape in model_shapes().items():
        if shape.quantized is not None:
            index.update({hub_id.lower(): key for hub_id in shape.quantized.hub_ids})
    return index


def _checkpoint_fact(hub_id: str, field: str) -> Any:
    """One `quantized.<field>` fact of a published checkpoint, its hub id matched case-insensitively; None: none."""
    found = model_shape(hub_id)
    if found is None or found[1].quantized is None:
        return None
    named: dict[str, Any] = getattr(found[1].quantized, field)
    return {name.lower(): value for name, value in named.items()}.get(hub_id.lower())


def checkpoint_quantization(hub_id: str) -> str | None:
    """The quantization of a published checkpoint's stored weights (awq, gptq, fp8); None: unquantized or unknown."""
    return _checkpoint_fact(hub_id, "hub_ids")


def checkpoint_kept_16bit_params_b(hub_id: str) -> float:
    """Linear-layer parameters (billions) a quantized checkpoint leaves at 16 bits; 0 when it quantizes them all."""
    return _checkpoint_fact(hub_id, "kept_16bit_params_b") or 0.0


def checkpoint_kv_cache_dtype(hub_id: str) -> str | None:
    """The KV-cache dtype vLLM resolves `auto` to for a quantized checkpoint (its kv_cache_quant_algo); None: own."""
    return _checkpoint_fact(hub_id, "kv_cache_dtype")


def model_shape(name: str) -> tuple[str, ModelShape] | None:
    """A shape by catalog key or by hub id (org/name, case-insensitive), with its key; None when unknown."""
    shapes = model_shapes()
    if name in shapes:
        return name, shapes[name]
    key = _hub_index().get(name.lower())
    return (key, shapes[key]) if key is not None else None


@cache
def efficiency() -> EfficiencyCatalog:
    """The efficiency factors, tensor-parallel losses and cold-start estimates of the sizing model."""
    return load_file(EfficiencyCatalog, "efficiency.yaml")


@cache
def service_prices(cloud: Cloud) -> dict[str, ServicePrice]:
    """Fixed prices of managed services (control plane, NAT, load balancer, storage) for one cloud."""
    return _parse(ServicePrice, "prices.yaml", _load("prices.yaml").get(cloud, {}))
