"""Every factor of the time model says where it comes from and which engine (and version) it was measured on."""

from __future__ import annotations

from inferstack import catalog


def _time_model_sources() -> dict[str, str]:
    table = catalog.efficiency()
    sources = {f"factors.{name}": factor.source for name, factor in table.factors}
    sources |= {f"gpus.{name}": gpu.source for name, gpu in table.gpus.items()}
    sources |= {f"interconnects.{name}": link.source for name, link in table.interconnects.items()}
    sources["tensor_parallel"] = table.tensor_parallel.source
    return sources


def test_every_time_model_factor_names_its_engine() -> None:
    missing = [name for name, source in _time_model_sources().items() if "Engine:" not in source]
    assert not missing, f"efficiency.yaml sources without 'Engine: <engine and version>': {missing}"


def test_the_per_host_cpu_costs_are_only_where_a_calibration_fit_set_them() -> None:
    # Only the GPUs the vLLM 0.5.4 sweep ran on have a fitted host cost; every other GPU falls back to the shared one.
    fitted = {name for name, gpu in catalog.efficiency().gpus.items() if gpu.legacy_sequence_overhead_s is not None}
    assert fitted == {"nvidia-a100-80gb", "nvidia-h100-sxm"}
