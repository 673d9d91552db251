"""Predicted vs published measurements: `.venv/bin/python tests/bench/published_report.py` prints the table.

The same predictions back tests/catalog/test_published_benchmarks.py, which holds them to the file's tolerance.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import (
    Efficiency,
    Objectives,
    best_performance,
    decode_step_s,
    kv_bytes_per_token,
    memory_fit,
    performance,
    precision,
    weights_read_bytes,
)

TABLE = Path(__file__).resolve().parents[1] / "published_benchmarks.yaml"
# Offline runs batch as deep as the KV cache allows, far past the online default of 256 sequences.
OFFLINE_LIMIT = 4096


def load_table() -> dict[str, Any]:
    """The published-benchmarks file as data."""
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Prediction:
    """Planner and physical-roofline values of one point's metric."""

    predicted: float
    roofline: float


def predict(point: dict[str, Any], eff: Efficiency | None = None) -> float:
    """The planner's value of the point's metric (with the catalog's factors, or `eff`)."""
    eff = eff or default_efficiency()
    found = model_shape(point["model"])
    assert found is not None, point["model"]
    shape = found[1]
    prec = precision(shape, point["quantization"], point["kv_cache_dtype"])
    acc = accelerator(point["gpu"], point["tp"], point["quantization"])
    prompt, output, metric = point["input"], point["output"], point["metric"]
    if metric == "mbu":
        context = prompt + output / 2
        step = decode_step_s(shape, acc, prec, eff, batch=1, context=context)
        read = weights_read_bytes(shape, prec, 1) + kv_bytes_per_token(shape, prec, acc.count) * context
        return read / step / (acc.bandwidth_gbps * 1e9 * acc.count)
    concurrency = point["concurrency"]
    if concurrency is None:
        fit = memory_fit(shape, acc, prec, eff, context=prompt + output)
        perf = best_performance(
            shape,
            acc,
            prec,
            eff,
            prompt=prompt,
            output=output,
            max_sequences=fit.max_sequences,
            objectives=Objectives(),
            limit=OFFLINE_LIMIT,
        )
        assert perf is not None, point["id"]
    else:
        perf = performance(shape, acc, prec, eff, prompt=prompt, output=output, concurrency=concurrency)
    if metric == "tpot_ms":
        return perf.tpot_s * 1000
    if metric == "ttft_ms":
        return perf.ttft_s * 1000
    return perf.output_tokens_per_s * point["replicas"]


def evaluate(point: dict[str, Any]) -> Prediction:
    """The planner's prediction and the physical roofline of one point."""
    return Prediction(predict(point), predict(point, Efficiency.physical()))


def error(point: dict[str, Any], predicted: float) -> float:
    """Relative error of a prediction against the measurement."""
    return (predicted - point["measured"]) / point["measured"]


def main() -> None:
    """Print predicted vs measured with the error for every point."""
    table = load_table()
    header = f"{'point':<48} {'metric':<20} {'measured':>10} {'predicted':>10} {'error':>8} {'roofline':>10}"
    print(header)
    print("-" * len(header))
    for point in table["points"]:
        result = evaluate(point)
        print(
            f"{point['id']:<48} {point['metric']:<20} {point['measured']:>10.4g} {result.predicted:>10.4g} "
            f"{error(point, result.predicted):>+8.1%} {result.roofline:>10.4g}"
        )
    print(f"\ntolerance: ±{table['tolerance']:.0%}; roofline = the same model with every efficiency at 1")


if __name__ == "__main__":
    main()
