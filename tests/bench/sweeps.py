"""Independent published sweeps (tests/sweeps/*.yaml) as published-benchmark points, held out whole.

A sweep file is one source's grid of configurations: shared fields in its header, one compact row per configuration.
Each row becomes points of tests/published_benchmarks.yaml's format (so `published_report.predict` runs them
unchanged). Two row kinds, told apart by the columns:

- offline (a `latency_s` column): a batch of `batch` prompts of `length` tokens (or `input` / `output` tokens), each
  generating its full output, timed as one batch; the point is output tokens/s = batch x output / latency.
- online (any of the metric columns ttft_ms, tpot_ms, output_tokens_per_s): one serving run, closed loop at
  `concurrency` clients or open loop at `request_rate` requests/s (Poisson); each metric the row gives is one point.
  `prompts` (optional) is the run's request count; the header may set `arrivals` (waves), `quantization`,
  `kv_cache_dtype` and `max_model_len` (vLLM V0 runs only), as tests/published_benchmarks.yaml's header describes;
  `checkpoint` (by model: the hub id run) where the catalog records that checkpoint's 16-bit layers; `output_lengths:
  fixed` where every request runs to its output length (ignore_eos).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SWEEPS = Path(__file__).resolve().parents[1] / "sweeps"
# The measured columns of an online row, each one point of its own.
METRICS = ("ttft_ms", "tpot_ms", "output_tokens_per_s")
# Upper bounds of the concurrency / batch bands the report groups points by.
BANDS = (1, 8, 32, 128)


def load_sweeps() -> dict[str, dict[str, Any]]:
    """Every sweep file by name (its file stem)."""
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(SWEEPS.glob("*.yaml"))}


def sweep_rows(sweep: dict[str, Any]) -> list[dict[str, Any]]:
    """The sweep's rows as column -> value maps."""
    return [dict(zip(sweep["columns"], row, strict=True)) for row in sweep["rows"]]


def measured_columns(row: dict[str, Any]) -> list[str]:
    """The row's measured columns (latency_s, or the online metrics it gives)."""
    return [key for key in ("latency_s", *METRICS) if row.get(key) is not None]


def sweep_points(name: str, sweep: dict[str, Any]) -> list[dict[str, Any]]:
    """The sweep's rows as points: offline batches or online runs, with the sweep's engine."""
    points: list[dict[str, Any]] = []
    for fields in sweep_rows(sweep):
        if "latency_s" in fields:
            points.append(offline_point(name, sweep, fields))
        else:
            points.extend(online_points(name, sweep, fields))
    return points


def _common(sweep: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The fields every point of a row shares."""
    point = {
        "model": fields["model"],
        "gpu": fields["gpu"],
        "tp": fields["tp"],
        "replicas": 1,
        "quantization": sweep.get("quantization"),
        "kv_cache_dtype": sweep.get("kv_cache_dtype", "auto"),
        "engine": sweep["engine"],
        "engine_version": str(sweep["engine_version"]),
        "use": "validation",
    }
    if sweep.get("output_lengths") is not None:
        point["output_lengths"] = sweep["output_lengths"]
    if fields["model"] in sweep.get("max_model_len", {}):
        point["max_model_len"] = sweep["max_model_len"][fields["model"]]
    if fields["model"] in sweep.get("checkpoint", {}):
        # The hub id run, where its stored layout differs from the method's default (16-bit layers of an FP8 one).
        point["checkpoint"] = sweep["checkpoint"][fields["model"]]
    return point


def offline_point(name: str, sweep: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """An offline batch row as one output tokens/s point."""
    model, gpu, tp, batch = (fields[k] for k in ("model", "gpu", "tp", "batch"))
    prompt, output = (fields["length"], fields["length"]) if "length" in fields else (fields["input"], fields["output"])
    return {
        "id": f"{name}-{model}-{gpu.removeprefix('nvidia-')}-tp{tp}-{prompt}x{output}-b{batch}",
        **_common(sweep, fields),
        "concurrency": None,
        "prompts": batch,
        "input": prompt,
        "output": output,
        "metric": "output_tokens_per_s",
        "measured": batch * output / fields["latency_s"],
        "source": f"{sweep['source']}; row {model} {gpu} TP{tp}, {prompt} in / {output} out, batch {batch}",
    }


def online_points(name: str, sweep: dict[str, Any], fields: dict[str, Any]) -> list[dict[str, Any]]:
    """An online serving row as one point per metric it gives (closed loop, or open loop at a request rate)."""
    model, gpu, tp, prompt, output = (fields[k] for k in ("model", "gpu", "tp", "input", "output"))
    rate = fields.get("request_rate")
    load = f"c{fields['concurrency']}" if rate is None else f"r{rate:g}"
    base = {
        **_common(sweep, fields),
        "concurrency": fields["concurrency"] if rate is None else None,
        "request_rate": rate,
        "prompts": fields.get("prompts"),
        "input": prompt,
        "output": output,
    }
    if sweep.get("arrivals") is not None and rate is None:
        base["arrivals"] = sweep["arrivals"]
    stem = f"{name}-{model}-{gpu.removeprefix('nvidia-')}-tp{tp}-{prompt}x{output}-{load}"
    return [
        {
            "id": f"{stem}-{metric}",
            **base,
            "metric": metric,
            "measured": fields[metric],
            "source": f"{sweep['source']}; row {model} {gpu} TP{tp}, {prompt} in / {output} out, {load}, {metric}",
        }
        for metric in METRICS
        if fields.get(metric) is not None
    ]


def band(point: dict[str, Any]) -> str:
    """The point's load band: open loop, or its concurrency / offline batch in BANDS."""
    if point.get("request_rate") is not None:
        return "open loop"
    size = point["concurrency"] if point["concurrency"] is not None else point["prompts"]
    low = 1
    for high in BANDS:
        if size <= high:
            return f"{low}" if low == high else f"{low}-{high}"
        low = high + 1
    return f">{BANDS[-1]}"
