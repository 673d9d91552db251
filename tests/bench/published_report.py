"""Predicted vs published measurements: `.venv/bin/python tests/bench/published_report.py [--markdown]`.

Prints every point (measured, predicted, error, physical roofline) and the aggregates the tolerance test holds: median
|error| and the share within ±25%, over the held-out (`use: validation`) points, by engine, and over all points.
The same predictions back tests/catalog/test_published_benchmarks.py. `--sweep-points` also prints every point of the
independent sweeps (tests/sweeps/); their aggregates are always printed.
"""

from __future__ import annotations

import functools
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from inferstack import catalog
from inferstack.catalog.lookup import read_yaml
from inferstack.planning.batch_job import kv_capacity_tokens
from inferstack.planning.burst import burst_performance, mixed_burst_performance
from inferstack.planning.capacity import accelerator, model_shape
from inferstack.planning.length_mix import sharegpt_lengths
from inferstack.planning.open_loop import size_load
from inferstack.planning.sizing import Efficiency, MemoryFit, memory_fit, precision
from inferstack.planning.step_time import decode_read_bytes, decode_step_s
from inferstack.planning.throughput import Objectives, offline_performance, performance
from inferstack.planning.waves import in_waves, with_startup
from tests.bench.engines import engine_efficiency, memory_share, running_limit
from tests.bench.sharegpt import sharegpt_burst
from tests.bench.sweeps import band, load_sweeps, sweep_points

TABLE = Path(__file__).resolve().parents[1] / "published_benchmarks.yaml"
WITHIN = 0.25
# Lower is better for latencies; higher is better for throughput and bandwidth use.
LATENCIES = frozenset({"tpot_ms", "ttft_ms"})


@functools.cache
def load_table() -> dict[str, Any]:
    """The published-benchmarks file as data, parsed once a process (callers read it, never change it)."""
    return read_yaml(TABLE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Prediction:
    """Planner and physical-roofline values of one point's metric."""

    predicted: float
    roofline: float


def predict(
    point: dict[str, Any], eff: Efficiency | None = None, adjust: Callable[[Efficiency], Efficiency] | None = None
) -> float:
    """The planner's value of the point's metric (with the catalog's factors for its GPU, or `eff`).

    `adjust` changes the planner's factors before they are used (tests/bench/refit.py tries candidate values with it).
    """
    planner = engine_efficiency(point)
    if adjust is not None:
        planner = adjust(planner)
    eff = eff or planner
    found = model_shape(point["model"])
    assert found is not None, point["model"]
    shape = found[1]
    # A point that names its checkpoint runs that checkpoint's layout (its 16-bit linear layers, if any).
    kept = catalog.checkpoint_kept_16bit_params_b(point["checkpoint"]) if point.get("checkpoint") else 0.0
    prec = precision(shape, point["quantization"], point["kv_cache_dtype"], kept)
    acc = accelerator(point["gpu"], point["tp"], point["quantization"])
    prompt, output, metric = point["input"], point["output"], point["metric"]
    if metric == "mbu":
        context = prompt + output / 2
        step = decode_step_s(shape, acc, prec, eff, batch=1, context=context)
        read = decode_read_bytes(shape, prec, acc, batch=1, context=context)
        return read / step / (acc.bandwidth_gbps * 1e9 * acc.count)
    # Latencies: how many sequences run at once is the engine's scheduling, so the roofline runs the planner's number
    # (more at once would be slower per token). Throughput: the roofline may fill all of GPU memory.
    roofline_batch = eff is not planner and metric == "output_tokens_per_s"
    memory, utilization = (eff, 1.0) if roofline_batch else memory_share(point, planner)
    fit = memory_fit(shape, acc, prec, memory, context=prompt + output, utilization=utilization)
    limit = running_limit(point)
    if point.get("request_rate") is not None:
        # The open-loop sizing `inferstack size --rps` does: one replica must carry the point's rate.
        load = size_load(
            shape,
            acc,
            prec,
            eff,
            prompt=prompt,
            output=output,
            requests_per_s=point["request_rate"],
            objectives=Objectives(),
            engine_cap=limit,
            kv_sequences=fit.max_sequences,
        )
        assert load is not None and load.replicas == 1, f"{point['id']}: the planner says one replica cannot serve it"
        perf = load.per_replica
    elif eff is planner and (fixed_burst(point, fit) or fixed_loop(point, fit)):
        # Fixed lengths keep the requests in step: vLLM's scheduler is followed request by request (planning/burst.py:
        # admission on current blocks, preemption by recompute, a closed loop's start-up wave and waves alike).
        perf = burst_performance(
            shape,
            acc,
            prec,
            eff,
            prompt=prompt,
            output=output,
            requests=point["prompts"],
            kv_tokens=kv_capacity_tokens(fit, prompt + output),
            limit=limit,
            clients=point["concurrency"],
        ).performance
    elif eff is planner and sharegpt_burst(point):
        # A ShareGPT burst's lengths spread (planning/length_mix.py): vLLM's scheduler fills and drains the batch.
        lengths = sharegpt_lengths(prompt, output, point["prompts"])
        perf = mixed_burst_performance(
            shape, acc, prec, eff, lengths=lengths, kv_tokens=kv_capacity_tokens(fit, prompt + output), limit=limit
        ).performance
    elif point["concurrency"] is None:
        # The roofline of a fixed-length burst runs the most any schedule can keep running: a request holds prompt + k
        # tokens at its k-th step, so on average no more than kv_tokens / (prompt + output/2) run at once.
        burst = fixed_burst(point, fit)
        sequences = kv_capacity_tokens(fit, prompt + output) // (prompt + output // 2) if burst else fit.max_sequences
        perf = offline_performance(
            shape,
            acc,
            prec,
            eff,
            prompt=prompt,
            output=output,
            max_sequences=sequences,
            limit=limit,
            requests=point["prompts"],
            longest_output=point.get("output_max"),
        )
    else:
        running = min(limit, fit.max_sequences)
        perf = performance(
            shape, acc, prec, eff, prompt=prompt, output=output, concurrency=point["concurrency"], max_running=running
        )
        if point.get("arrivals") == "waves" and eff is planner:
            # Clients in step (arrivals: waves) share a prefill pass; the roofline keeps the steady state, a lower
            # bound for them too (an ideal engine could serve a wave's prompts in any order).
            perf = in_waves(perf, shape, acc, prec, eff, prompt=prompt)
        if point.get("prompts") and eff is planner:
            # A finite run whose clients start together (vLLM bench serve at request rate inf): its first wave
            # queues for every prefill pass ahead of it; the roofline keeps the steady state, a lower bound.
            perf = with_startup(perf, shape, acc, prec, eff, prompt=prompt, requests=point["prompts"])
    if metric == "tpot_ms":
        return perf.tpot_s * 1000
    if metric == "ttft_ms":
        return perf.ttft_s * 1000
    return perf.output_tokens_per_s * point["replicas"]


def fixed_burst(point: dict[str, Any], fit: MemoryFit) -> bool:
    """True for a vLLM offline burst of fixed lengths (`output_lengths: fixed`) its KV cache cannot hold at once."""
    if point.get("output_lengths") != "fixed" or point["engine"] != "vllm" or point["concurrency"] is not None:
        return False
    length = point["input"] + point["output"]
    # A cache that cannot hold one whole request is the steady state's case (the engine would not start).
    return length <= kv_capacity_tokens(fit, length) < point["prompts"] * length


def fixed_loop(point: dict[str, Any], fit: MemoryFit) -> bool:
    """True for a vLLM closed-loop run of fixed lengths whose request count is known and whose cache holds one."""
    if point.get("output_lengths") != "fixed" or point["engine"] != "vllm" or not point.get("prompts"):
        return False
    length = point["input"] + point["output"]
    return point["concurrency"] is not None and kv_capacity_tokens(fit, length) >= length


def evaluate(point: dict[str, Any]) -> Prediction:
    """The planner's prediction and the physical roofline of one point."""
    return Prediction(predict(point), predict(point, Efficiency.physical()))


def error(point: dict[str, Any], predicted: float) -> float:
    """Relative error of a prediction against the measurement."""
    return (predicted - point["measured"]) / point["measured"]


@dataclass(frozen=True)
class Aggregate:
    """Median |error| and share within ±25% of a group of points."""

    label: str
    count: int
    median: float
    within: float
    # Median signed error: how far, and which way, the group sits from the model (+: the model is optimistic).
    bias: float = 0.0


def aggregate(label: str, errors: list[float]) -> Aggregate:
    """The aggregate of a list of relative errors (zeros for an empty list)."""
    if not errors:
        return Aggregate(label, 0, 0.0, 0.0)
    size = [abs(e) for e in errors]
    within = sum(e <= WITHIN for e in size) / len(size)
    return Aggregate(label, len(size), statistics.median(size), within, statistics.median(errors))


def aggregates(points: list[dict[str, Any]], errors: dict[str, float]) -> list[Aggregate]:
    """Held-out points by engine and together, calibration points, and everything."""
    rows: list[Aggregate] = []
    held = [p for p in points if p["use"] == "validation"]
    for engine in sorted({p["engine"] for p in points}):
        rows.append(aggregate(f"validation, {engine}", [errors[p["id"]] for p in held if p["engine"] == engine]))
    rows.append(aggregate("validation, all engines", [errors[p["id"]] for p in held]))
    rows.append(aggregate("calibration", [errors[p["id"]] for p in points if p["use"] == "calibration"]))
    rows.append(aggregate("all points", list(errors.values())))
    for engine in sorted({p["engine"] for p in points}):
        rows.append(aggregate(f"all points, {engine}", [errors[p["id"]] for p in points if p["engine"] == engine]))
    # Where the held-out vLLM error sits: by the source each point's id names first (one lab or page per prefix).
    vllm = [p for p in held if p["engine"] == "vllm"]
    for source in sorted({source_of(p) for p in vllm}):
        rows.append(aggregate(f"  vllm held-out, {source}", [errors[p["id"]] for p in vllm if source_of(p) == source]))
    return rows


def source_of(point: dict[str, Any]) -> str:
    """The source a point's id names first (gpustack, lambda, tt, ...); vLLM's own version-named ids are gpustack's."""
    head = point["id"].split("-", 1)[0]
    return "gpustack" if head == "vllm" and "gpustack" in point["source"] else head


def sweep_aggregates() -> list[Aggregate]:
    """Each independent sweep (tests/sweeps/) as a whole and by GPU, TP, metric and load band: all held out."""
    rows: list[Aggregate] = []
    for name, sweep in load_sweeps().items():
        points = sweep_points(name, sweep)
        errors = {p["id"]: error(p, evaluate(p).predicted) for p in points}
        rows.append(aggregate(f"sweep {name}", list(errors.values())))
        # Where the error sits: by GPU, tensor-parallel degree, metric and load band (concurrency or batch).
        for label, key in (("", "gpu"), ("TP", "tp"), ("", "metric")):
            for value in sorted({p[key] for p in points}):
                group = [errors[p["id"]] for p in points if p[key] == value]
                rows.append(aggregate(f"  {label}{value}", group))
        for value in sorted({band(p) for p in points}, key=band_order):
            rows.append(aggregate(f"  load {value}", [errors[p["id"]] for p in points if band(p) == value]))
    return rows


def band_order(label: str) -> float:
    """Sort key of a load band label: by its lower bound, open loop last."""
    if label == "open loop":
        return float("inf")
    return float(label.lstrip(">").split("-")[0]) + (0.5 if label.startswith(">") else 0.0)


def main(markdown: bool = False, sweep_rows: bool = False) -> None:
    """Print predicted vs measured for every point, then the aggregates of the table and of the sweeps."""
    points = load_table()["points"]
    if sweep_rows:
        points = [*points, *(p for name, sweep in load_sweeps().items() for p in sweep_points(name, sweep))]
    results = {p["id"]: evaluate(p) for p in points}
    errors = {p["id"]: error(p, results[p["id"]].predicted) for p in points}
    if markdown:
        print("| point | engine | use | metric | measured | predicted | error | roofline |")
        print("|---|---|---|---|---|---|---|---|")
    else:
        columns = ("measured", "predicted", "error", "roofline")
        print(f"{'point':<58} {'use':<5} {'metric':<20} " + " ".join(f"{c:>10}" for c in columns))
    for p in points:
        r = results[p["id"]]
        if markdown:
            print(
                f"| {p['id']} | {p['engine']} {p['engine_version'].split(' (')[0]} | {p['use'][:3]} | {p['metric']} | "
                f"{p['measured']:.4g} | {r.predicted:.4g} | {errors[p['id']]:+.1%} | {r.roofline:.4g} |"
            )
        else:
            print(
                f"{p['id']:<58} {p['use'][:5]:<5} {p['metric']:<20} {p['measured']:>10.4g} {r.predicted:>10.4g} "
                f"{errors[p['id']]:>+8.1%} {r.roofline:>10.4g}"
            )
    print()
    if markdown:
        print("\n| points | n | median \\|error\\| | within ±25% | median signed error |")
        print("|---|---|---|---|---|")
    table = [p for p in points if not p["id"].startswith(tuple(load_sweeps()))]
    for row in [*aggregates(table, errors), *sweep_aggregates()]:
        if markdown:
            print(f"| {row.label} | {row.count} | {row.median:.1%} | {row.within:.0%} | {row.bias:+.1%} |")
        else:
            print(
                f"{row.label:<40} n={row.count:<3} median |error| {row.median:6.1%}   within ±25% {row.within:6.1%}"
                f"   median signed {row.bias:+6.1%}"
            )


if __name__ == "__main__":
    main(markdown="--markdown" in sys.argv, sweep_rows="--sweep-points" in sys.argv)
