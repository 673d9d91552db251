"""A published ShareGPT burst's requests, length by length: one real sample's spread scaled to the burst's means.

vLLM bench serve (and benchmark_serving before it) samples ShareGPT conversations with a fixed seed: prompts and
outputs spread from a few tokens to about a thousand, so a burst at request rate inf fills its batch as prompts are
prefilled and drains as short outputs finish. A point gives only its mean lengths; the spread is taken from the one
sample whose every length is published (sharegpt_lengths.yaml), scaled to those means (tokenizers count differently)
and repeated in order up to the point's request count.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.bench.engines import vllm_minor

LENGTHS = Path(__file__).resolve().parent / "sharegpt_lengths.yaml"
# vLLM V1, the default engine from v0.8.
V1_MINOR = 8


@cache
def sample() -> tuple[tuple[int, int], ...]:
    """The published sample's (prompt, output) pairs; an output of 0 (ended at once) counts its one sampled token."""
    data = yaml.safe_load(LENGTHS.read_text(encoding="utf-8"))
    return tuple((int(p), max(1, int(o))) for p, o in zip(data["input"], data["output"], strict=True))


def burst_lengths(prompt: float, output: float, requests: int) -> list[tuple[int, int]]:
    """`requests` (prompt, output) pairs with the sample's spread and the given mean prompt and output lengths."""
    pairs = sample()
    mean_prompt = sum(p for p, _ in pairs) / len(pairs)
    mean_output = sum(o for _, o in pairs) / len(pairs)
    return [
        (max(1, round(p * prompt / mean_prompt)), max(1, round(o * output / mean_output)))
        for p, o in (pairs[i % len(pairs)] for i in range(requests))
    ]


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
    engine = point["engine"] == "sglang" or (minor is not None and minor >= V1_MINOR)
    return (
        point.get("output_lengths") == "sharegpt"
        and engine
        and point["concurrency"] is None
        and bool(point.get("prompts"))
    )
