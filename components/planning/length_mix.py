"""A batch job's requests at a spread of lengths: a published sample's spread scaled to the job's mean lengths.

Chat traffic (vLLM bench's ShareGPT sample) spreads prompts and outputs from a few tokens to about a thousand. A job of
such requests queued at once fills its batch as prompts are prefilled and drains as short outputs finish, so it takes
longer than every request at the mean lengths. The spread is the catalog's sample (catalog/data/sharegpt_lengths.yaml),
scaled so its means are the job's (tokenizers count differently) and repeated in its order up to the job's size.
"""

from __future__ import annotations

from inferstack.catalog.length_samples import sharegpt_sample


def sharegpt_lengths(prompt: float, output: float, requests: int) -> list[tuple[int, int]]:
    """`requests` (prompt, output) pairs with the ShareGPT sample's spread at these mean prompt and output lengths."""
    pairs = sharegpt_sample().pairs()
    mean_prompt = sum(p for p, _ in pairs) / len(pairs)
    mean_output = sum(o for _, o in pairs) / len(pairs)
    return [
        (max(1, round(p * prompt / mean_prompt)), max(1, round(o * output / mean_output)))
        for p, o in (pairs[i % len(pairs)] for i in range(requests))
    ]
