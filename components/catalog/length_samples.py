"""A published sample of request lengths, request by request: what a ShareGPT burst's lengths spread like.

Read from `data/sharegpt_lengths.yaml`; planning/length_mix.py scales it to a job's mean lengths.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, model_validator

from inferstack.catalog.lookup import load_file

SHAREGPT_FILE = "sharegpt_lengths.yaml"


class LengthSample(BaseModel):
    """Each request's prompt and output tokens, in the order the benchmark sent them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=40, description="The published run the lengths were read from.")
    as_of: dt.date = Field(description="The date they were read.")
    input: tuple[PositiveInt, ...] = Field(min_length=1, description="Prompt tokens of each request.")
    output: tuple[NonNegativeInt, ...] = Field(min_length=1, description="Output tokens of each request (0: none).")

    @model_validator(mode="after")
    def _one_output_per_prompt(self) -> LengthSample:
        if len(self.input) != len(self.output):
            raise ValueError(f"{len(self.input)} prompts but {len(self.output)} outputs")
        return self

    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(prompt, output) per request; an output of 0 (the model ended at once) counts its one sampled token."""
        return tuple((p, max(1, o)) for p, o in zip(self.input, self.output, strict=True))


@cache
def sharegpt_sample() -> LengthSample:
    """The ShareGPT sample's lengths."""
    return load_file(LengthSample, SHAREGPT_FILE)
