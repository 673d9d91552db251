"""How many CUDA graphs vLLM captures at start, from its settings, and how long capturing them takes.

The engine captures one graph per batch size it may pad a step to; the sizes follow from max_num_seqs (and the
max_num_batched_tokens cap), and the cudagraph mode decides whether each size gets a PIECEWISE graph, a FULL decode
graph, or both. The rule and the per-graph times are catalog facts (efficiency.yaml `startup.warmup`), so a model
with a lower `max_num_seqs` starts faster exactly as the engine would. Capture is not cached across starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack import catalog
from inferstack.catalog.schema_warmup import CudaGraphSizes
from inferstack.planning.throughput import MAX_BATCH

PIECEWISE_MODES = ("PIECEWISE", "FULL_AND_PIECEWISE")


@dataclass(frozen=True)
class CudaGraphPlan:
    """The graphs one replica captures: the engine settings they follow from, the counts and the seconds."""

    max_num_seqs: int
    max_num_batched_tokens: int | None
    sizes: tuple[int, ...]
    piecewise: int
    full: int
    seconds: float

    @property
    def graphs(self) -> int:
        """Every graph captured, PIECEWISE and FULL."""
        return self.piecewise + self.full


def capture_sizes(rule: CudaGraphSizes, max_num_seqs: int, max_num_batched_tokens: int | None) -> list[int]:
    """The batch sizes vLLM captures: small sizes, then two step widths up to min(seqs × k, cap, batched tokens)."""
    if max_num_seqs < 1:
        raise ValueError("max_num_seqs must be ≥ 1")
    largest = min(max_num_seqs * rule.seqs_multiplier, rule.max_size_cap)
    if max_num_batched_tokens is not None:
        largest = min(largest, max_num_batched_tokens)
    sizes = [size for size in rule.small_sizes if size <= largest]
    sizes += range(rule.step, min(largest + 1, rule.wide_from), rule.step)
    sizes += range(rule.wide_from, largest + 1, rule.wide_step)
    return sizes


def graph_counts(rule: CudaGraphSizes, sizes: list[int], max_num_seqs: int) -> tuple[int, int]:
    """(PIECEWISE, FULL) graphs the mode captures: FULL decode graphs only for sizes a decode batch can reach."""
    if rule.mode == "NONE":
        return 0, 0
    piecewise = len(sizes) if rule.mode in PIECEWISE_MODES else 0
    if rule.mode == "FULL":
        return 0, len(sizes)  # FULL graphs for mixed batches too: one routine, every size
    # One query token a sequence when decoding (no speculative decoding): sizes up to max_num_seqs.
    full = sum(1 for size in sizes if size <= max_num_seqs) if rule.mode != "PIECEWISE" else 0
    return piecewise, full


def engine_defaults(gpu: str | None) -> tuple[int, int | None]:
    """vLLM's default (max_num_seqs, max_num_batched_tokens) on a GPU; 256 and no token cap when unknown."""
    per_gpu = catalog.efficiency().gpus.get(gpu) if gpu is not None else None
    if per_gpu is None:
        return MAX_BATCH, None
    return per_gpu.max_num_seqs, per_gpu.max_num_batched_tokens


def cuda_graph_plan(gpu: str | None = None, max_num_seqs: int | None = None) -> CudaGraphPlan:
    """The graphs a replica on this GPU captures with this --max-num-seqs (None: vLLM's default for the GPU)."""
    warm = catalog.efficiency().startup.warmup
    default_seqs, tokens = engine_defaults(gpu)
    seqs = max_num_seqs if max_num_seqs is not None else default_seqs
    sizes = capture_sizes(warm.cuda_graph_sizes, seqs, tokens)
    piecewise, full = graph_counts(warm.cuda_graph_sizes, sizes, seqs)
    seconds = piecewise * warm.piecewise_graph_s.value + full * warm.full_graph_s.value
    return CudaGraphPlan(seqs, tokens, tuple(sizes), piecewise, full, seconds)
