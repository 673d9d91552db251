"""Independent published sweeps (tests/sweeps/*.yaml) as published-benchmark points, held out whole.

A sweep file is one source's grid of configurations: shared fields in its header, one compact row per configuration.
Each row becomes a point of tests/published_benchmarks.yaml's format (so `published_report.predict` runs it
unchanged): an offline batch of `batch` prompts of `length` tokens, each generating `length` tokens, whose
output tokens/s is batch x length / latency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SWEEPS = Path(__file__).resolve().parents[1] / "sweeps"


def load_sweeps() -> dict[str, dict[str, Any]]:
    """Every sweep file by name (its file stem)."""
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(SWEEPS.glob("*.yaml"))}


def sweep_points(name: str, sweep: dict[str, Any]) -> list[dict[str, Any]]:
    """The sweep's rows as points: offline batches with the sweep's engine and the model's max_model_len."""
    points = []
    for row in sweep["rows"]:
        fields = dict(zip(sweep["columns"], row, strict=True))
        model, gpu, tp, length, batch = (fields[k] for k in ("model", "gpu", "tp", "length", "batch"))
        points.append(
            {
                "id": f"{name}-{model}-{gpu.removeprefix('nvidia-')}-tp{tp}-{length}x{length}-b{batch}",
                "model": model,
                "gpu": gpu,
                "tp": tp,
                "replicas": 1,
                "quantization": None,
                "kv_cache_dtype": "auto",
                "concurrency": None,
                "prompts": batch,
                "input": length,
                "output": length,
                "metric": "output_tokens_per_s",
                "measured": batch * length / fields["latency_s"],
                "engine": sweep["engine"],
                "engine_version": str(sweep["engine_version"]),
                "max_model_len": sweep["max_model_len"][model],
                "use": "validation",
                "source": f"{sweep['source']}; row {model} {gpu} TP{tp}, {length} in / {length} out, batch {batch}",
            }
        )
    return points
