"""Planner vs vLLM's logged start-up memory profiles: `.venv/bin/python -m tests.bench.memory_report`.

For every observation in tests/bench/memory_profiles.yaml: the planner's weights, runtime and KV GiB per GPU
(`memory_fit` at the run's utilization and max_model_len) next to vLLM's logged ones, and the KV tokens the planner
would allocate against vLLM's. Then the aggregates: the logged runtime (non-torch + activation peak) by vLLM family,
TP and GPU, the planner's runtime and KV-token errors, and the logged parts against the model's vocabulary and the
engine's max_num_seqs (the sampler's dummy pass), which is where the runtime's size comes from.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from inferstack.planning.capacity import accelerator, model_shape
from inferstack.planning.engine_version import parse_release, vllm_efficiency
from inferstack.planning.kv_cache import kv_bytes_per_token
from inferstack.planning.sizing import GIB, MemoryFit, Shape, memory_fit, precision

TABLE = Path(__file__).resolve().parent / "memory_profiles.yaml"
# Logged parts must add up to total x utilization within this much (vLLM prints two decimals per part).
SUM_TOLERANCE_GIB = 0.1


def load_observations() -> list[dict[str, Any]]:
    """The observations of the memory-profiles file."""
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))["observations"]


def logged_runtime(obs: dict[str, Any]) -> float | None:
    """vLLM's memory per GPU outside weights and KV cache: non-torch increase plus the torch activation peak."""
    if obs["non_torch"] is None or obs["activation"] is None:
        return None
    return obs["non_torch"] + obs["activation"]


def logged_sum_gap(obs: dict[str, Any]) -> float | None:
    """weights + non-torch + activation + KV minus total x utilization (None where a part is not logged)."""
    parts = [obs[k] for k in ("weights", "non_torch", "activation", "kv")]
    if any(p is None for p in parts) or obs.get("total_gib") is None:
        return None
    return sum(parts) - obs["total_gib"] * obs["utilization"]


@dataclass(frozen=True)
class Comparison:
    """One observation's planner values (per GPU) beside vLLM's logged ones."""

    obs: dict[str, Any]
    shape: Shape
    fit: MemoryFit
    bytes_per_token: float

    @property
    def tp(self) -> int:
        """Tensor-parallel degree."""
        return int(self.obs["tp"])

    @property
    def weights(self) -> float:
        """Planner weights GiB per GPU."""
        return self.fit.weights_gib / self.tp

    @property
    def runtime(self) -> float:
        """Planner runtime GiB per GPU (fixed part plus the profile pass's larger peak)."""
        return self.fit.overhead_gib / self.tp

    @property
    def kv(self) -> float:
        """Planner KV GiB per GPU."""
        return self.fit.kv_budget_gib / self.tp

    @property
    def offer_gap(self) -> float:
        """Planner's usable memory per GPU minus vLLM's (catalog memory vs the total vLLM logged), GiB."""
        return (self.fit.offer_gib / self.tp) - self.obs["total_gib"] * self.obs["utilization"]

    @property
    def tokens(self) -> int:
        """KV tokens the planner allocates (its KV budget over the model's bytes per token)."""
        return max(0, int(self.fit.kv_budget_gib * GIB / self.bytes_per_token))

    @property
    def tokens_at_logged_kv(self) -> int | None:
        """Tokens the planner's bytes per token give in vLLM's own KV GiB (checks the KV formula alone)."""
        kv = self.obs["kv"]
        return None if kv is None else int(kv * self.tp * GIB / self.bytes_per_token)


def compare(obs: dict[str, Any]) -> Comparison:
    """The planner's memory split for one observation (catalog GPU, its runtime estimate, the run's settings)."""
    found = model_shape(obs["model"])
    assert found is not None, obs["model"]
    shape = found[1]
    prec = precision(shape, obs["quantization"], obs["kv_cache_dtype"])
    acc = accelerator(obs["gpu"], obs["tp"], obs["quantization"])
    context = int(obs["max_model_len"])
    # The release the run logged (V0 runs before V1 became the default; an unstated V1 release as the pinned one) and
    # the max_num_seqs it ran, whose rows the profile's sampler pass holds, and the token budget its forward pass ran.
    release = parse_release(obs["vllm"]) if obs["vllm"] else ((0, 7) if obs["family"] == "V0" else None)
    eff = replace(
        vllm_efficiency(obs["gpu"], release),
        max_num_seqs=int(obs["max_num_seqs"]),
        batched_tokens=int(obs["max_num_batched_tokens"]),
    )
    fit = memory_fit(shape, acc, prec, eff, context=context, utilization=obs["utilization"])
    return Comparison(obs, shape, fit, kv_bytes_per_token(shape, prec, obs["tp"], context))


def spread(values: Iterable[float]) -> str:
    """Median [min..max] (n) of some values, two decimals."""
    vals = sorted(values)
    if not vals:
        return "-"
    return f"{statistics.median(vals):.2f} [{vals[0]:.2f}..{vals[-1]:.2f}] (n={len(vals)})"


def _median_abs(values: list[float]) -> float:
    return statistics.median(abs(v) for v in values)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(planned: float, logged: float | None) -> str:
    return "-" if not logged else f"{(planned - logged) / logged * 100:+.1f}%"


def rows(comparisons: list[Comparison]) -> list[str]:
    """One line per observation: planner vs logged weights, runtime, KV GiB per GPU and KV tokens."""
    head = (
        f"{'id':28} {'fam':3} {'tp':>2} {'W plan':>6} {'W vllm':>6} {'R plan':>6} {'R vllm':>6} {'nontrch':>7} "
        f"{'act':>5} {'KV plan':>7} {'KV vllm':>7} {'tok plan':>9} {'tok vllm':>9} {'tok err':>7} {'tok@kv':>7}"
    )
    out = [head]
    for c in comparisons:
        o = c.obs
        at_kv = c.tokens_at_logged_kv
        out.append(
            f"{o['id']:28} {o['family']:3} {c.tp:>2} {c.weights:6.2f} {_fmt(o['weights']):>6} {c.runtime:6.2f} "
            f"{_fmt(logged_runtime(o)):>6} {_fmt(o['non_torch']):>7} {_fmt(o['activation']):>5} {c.kv:7.2f} "
            f"{_fmt(o['kv']):>7} {c.tokens:9d} {o['kv_tokens'] or '-':>9} {_pct(c.tokens, o['kv_tokens']):>7} "
            f"{_pct(at_kv, o['kv_tokens']) if at_kv is not None else '-':>7}"
        )
    return out


def _groups(comparisons: list[Comparison], key: str) -> dict[str, list[Comparison]]:
    found: dict[str, list[Comparison]] = {}
    for c in comparisons:
        found.setdefault(f"{key}={c.obs[key]}", []).append(c)
    return dict(sorted(found.items()))


def aggregates(comparisons: list[Comparison]) -> list[str]:
    """Logged runtime by family, TP and GPU; planner runtime, weights and KV-token errors."""
    out = ["", "logged runtime GiB/GPU (non-torch + activation): median [min..max] (n)"]
    for key in ("family", "tp", "gpu", "source"):
        for name, group in _groups(comparisons, key).items():
            rt = [r for c in group if (r := logged_runtime(c.obs)) is not None]
            nt = [c.obs["non_torch"] for c in group if c.obs["non_torch"] is not None]
            act = [c.obs["activation"] for c in group if c.obs["activation"] is not None]
            out.append(f"  {name:26} runtime {spread(rt)}  non-torch {spread(nt)}  activation {spread(act)}")
    rt_err = [c.runtime - r for c in comparisons if (r := logged_runtime(c.obs)) is not None]
    w_err = [c.weights - c.obs["weights"] for c in comparisons]
    kv_err = [c.kv - c.obs["kv"] for c in comparisons if c.obs["kv"] is not None]
    gaps = [c.offer_gap for c in comparisons]
    out += [
        "",
        f"planner runtime - logged (GiB/GPU): {spread(rt_err)}; |error| median {_median_abs(rt_err):.2f} GiB",
        f"planner weights - logged (GiB/GPU): {spread(w_err)}",
        f"planner offer - vLLM's (catalog memory vs logged total, x utilization, GiB/GPU): {spread(gaps)}",
        f"planner KV - logged (GiB/GPU): {spread(kv_err)}",
    ]
    tok = [(c.tokens - t) / t * 100 for c in comparisons if (t := c.obs["kv_tokens"])]
    at_kv = [(a - t) / t * 100 for c in comparisons if (t := c.obs["kv_tokens"]) and (a := c.tokens_at_logged_kv)]
    out.append(f"KV tokens, planner vs vLLM (%): {spread(tok)}; |error| median {_median_abs(tok):.1f}%")
    out.append(f"KV tokens at vLLM's own KV GiB (bytes/token check, %): {spread(at_kv)}")
    return out


def sampler_view(comparisons: list[Comparison]) -> list[str]:
    """Activation peak against max_num_seqs x vocabulary: bytes per (sequence x vocabulary entry), by source."""
    out = ["", "activation peak / (max_num_seqs x vocab_size), bytes per element, by source (TP1-4, one line each)"]
    for name, group in _groups(comparisons, "source").items():
        per = []
        for c in group:
            act, vocab = c.obs["activation"], c.shape.vocab_size
            if act is None or not vocab:
                continue
            per.append(act * GIB / (c.obs["max_num_seqs"] * vocab))
            out.append(
                f"  {name:18} {c.obs['id']:28} act {act:5.2f} vocab {vocab:6d} seqs {c.obs['max_num_seqs']:4d} "
                f"tokens {c.obs['max_num_batched_tokens']:5d} -> {per[-1]:5.1f} B"
            )
        out.append(f"  {name:18} bytes per element {spread(per)}")
    return out


def main() -> None:
    """Print the comparison table and the aggregates."""
    comparisons = [compare(o) for o in load_observations()]
    print("\n".join(rows(comparisons) + aggregates(comparisons) + sampler_view(comparisons)))


if __name__ == "__main__":
    main()
