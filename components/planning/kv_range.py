"""How sure the KV capacity is: the sequences that fit if vLLM's runtime memory sits at either end of its range.

The runtime's own memory (CUDA context, activation peak, CUDA-graph pools) is an estimate
(efficiency.yaml `runtime_overhead_gib` ± `runtime_overhead_spread_gib`). Where weights nearly fill the GPU, that
estimate decides how many sequences fit, so a capacity is worth stating with its range.
"""

from __future__ import annotations

import dataclasses

from inferstack import catalog
from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape, memory_fit


def kv_capacity_range(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    context: int,
    utilization: float,
    lora_gib: float = 0.0,
) -> tuple[int, int]:
    """Sequences of `context` tokens that fit with the runtime at the top and at the bottom of its range."""
    spread = catalog.efficiency().factors.runtime_overhead_spread_gib.value
    sequences = []
    for overhead in (eff.overhead_gib + spread, max(0.0, eff.overhead_gib - spread)):
        at = dataclasses.replace(eff, overhead_gib=overhead)
        fit = memory_fit(shape, acc, prec, at, context=context, utilization=utilization, lora_gib=lora_gib)
        sequences.append(fit.max_sequences)
    return sequences[0], sequences[1]


def uncertain(nominal: int, low: int, high: int, share: float = 0.2) -> bool:
    """True when the range strays from the nominal capacity by more than `share` of it (worth printing)."""
    return nominal > 0 and (nominal - low > share * nominal or high - nominal > share * nominal)
