"""Which published ShareGPT bursts the report runs at a spread of lengths (planning/length_mix.py's sample).

vLLM bench serve (and benchmark_serving before it) samples ShareGPT conversations with a fixed seed: prompts and
outputs spread from a few tokens to about a thousand, so a burst at request rate inf fills its batch as prompts are
prefilled and drains as short outputs finish. A point gives only its mean lengths; the spread is the catalog's
sample scaled to them.
"""

from __future__ import annotations

from typing import Any

from inferstack.planning.engine_version import V1_DEFAULT
from tests.bench.engines import vllm_minor


def sharegpt_burst(point: dict[str, Any]) -> bool:
    """True for an offline burst of ShareGPT requests (`output_lengths: sharegpt`, queued at once) on vLLM V1 (0.8 on)
    or SGLang.

    SGLang's scheduler runs a prefill batch whenever it can form one and decodes otherwise (sglang/srt/managers/
    scheduler.py get_next_batch_to_run), the order of vLLM V0's that burst.py's V0 step follows (the report gives
    SGLang points no piggybacked prefill); its admission also reserves room for the running requests' future tokens
    (new_token_ratio), which is not modelled. vLLM before V1 keeps the steady state: its per-sequence host cost
    (efficiency.yaml legacy_sequence_overhead_s) was fitted on LambdaLabs' ShareGPT bursts under that model.
    """
    minor = vllm_minor(point)
    engine = point["engine"] == "sglang" or (minor is not None and (0, minor) >= V1_DEFAULT)
    return (
        point.get("output_lengths") == "sharegpt"
        and engine
        and point["concurrency"] is None
        and bool(point.get("prompts"))
    )
