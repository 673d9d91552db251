"""How sure the KV capacity is: the sequences that fit if vLLM's runtime memory sits at either end of its range.

The runtime's own memory (CUDA context, activation peak, CUDA-graph pools) is an estimate
(efficiency.yaml's runtime estimate ± `runtime_overhead_spread_gib`). Where weights nearly fill the GPU, that
estimate decides how many sequences fit, so a capacity is worth stating with its range.
"""

from __future__ import annotations

import math

from inferstack import catalog
from inferstack.planning.sizing import MemoryFit


def kv_capacity_range(fit: MemoryFit, gpus: int) -> tuple[int, int]:
    """Sequences of the fit's length that fit with the runtime at the top and at the bottom of its range."""
    if fit.kv_per_sequence_gib <= 0:
        return 0, 0
    spread = catalog.efficiency().factors.runtime_overhead_spread_gib.value * gpus
    # The runtime cannot take less than nothing: the bottom of the range frees at most what it was given.
    budgets = (fit.kv_budget_gib - spread, fit.kv_budget_gib + min(spread, fit.overhead_gib))
    low, high = (max(0, math.floor(budget / fit.kv_per_sequence_gib)) for budget in budgets)
    return low, high


def uncertain(nominal: int, low: int, high: int, share: float = 0.2) -> bool:
    """True when the range strays from the nominal capacity by more than `share` of it (worth printing)."""
    return nominal > 0 and (nominal - low > share * nominal or high - nominal > share * nominal)
