"""The typed shape of vLLM's CUDA-graph capture rule (efficiency.yaml, `startup.warmup.cuda_graph_sizes`).

Kept apart from schema.py (one schema per data file there, already long); it repeats the two fields every fact
carries rather than importing the base, which would make an import circle with schema.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

# vLLM's CUDAGraphMode values that change what is captured (vllm/config/compilation.py).
CudaGraphMode = Literal["NONE", "PIECEWISE", "FULL", "FULL_DECODE_ONLY", "FULL_AND_PIECEWISE"]


class CudaGraphSizes(BaseModel):
    """Which batch sizes vLLM captures CUDA graphs for, and in which mode, at the pinned engine version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: CudaGraphMode = Field(description="The default cudagraph_mode (FULL_AND_PIECEWISE at -O2).")
    seqs_multiplier: PositiveInt = Field(description="The largest capture size is max_num_seqs times this.")
    max_size_cap: PositiveInt = Field(description="The largest capture size is never above this.")
    small_sizes: list[PositiveInt] = Field(min_length=1, description="The sizes below the first step, ascending.")
    step: PositiveInt = Field(description="Step between sizes from `step` up to (not including) `wide_from`.")
    wide_from: PositiveInt = Field(description="The size from which the wider step applies.")
    wide_step: PositiveInt = Field(description="Step between sizes from `wide_from` up to the largest size.")
    source: str = Field(min_length=8, description="Where the rule was read (repository, file, commit).")
    as_of: dt.date = Field(description="The date the rule was read.")
