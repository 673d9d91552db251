"""Control-plane version moves the cloud refuses: more than one minor at a time, or a downgrade.

The rules and their sources are in `version_steps.yaml`. The diff adds the reason to the cluster's update, so a
plan that skips a minor says, before `pulumi up`, that the cloud will reject it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from inferstack.infra.offline.plan import PlannedResource
from inferstack.infra.review.fixed_names import FAILS

_MINOR = re.compile(r"^(\d+)\.(\d+)")


@dataclass(frozen=True)
class VersionStep:
    """Which input holds a cluster type's version, how many minors one update may move, and what lowering does."""

    input: str
    max_minor_step: int
    downgrade: Literal["fails", "ignored"]


@cache
def version_steps() -> dict[str, VersionStep]:
    """The per-type version-step rules."""
    text = resources.files("inferstack.infra.review").joinpath("version_steps.yaml").read_text(encoding="utf-8")
    return {type_: VersionStep(**rule) for type_, rule in yaml.safe_load(text)["types"].items()}


def _minor(value: Any) -> tuple[int, int] | None:
    found = _MINOR.match(value) if isinstance(value, str) else None
    return (int(found[1]), int(found[2])) if found else None


def version_step_reason(old: PlannedResource | None, new: PlannedResource) -> str | None:
    """Why an update of a cluster's version fails at the cloud (None when the move is allowed or unknown)."""
    rule = version_steps().get(new.type)
    if rule is None or old is None:
        return None
    before, after = _minor(old.inputs.get(rule.input)), _minor(new.inputs.get(rule.input))
    if before is None or after is None or before[0] != after[0]:
        return None
    step = after[1] - before[1]
    shown = f"{before[0]}.{before[1]} -> {after[0]}.{after[1]}"
    if step > rule.max_minor_step:
        stops = ", ".join(f"{before[0]}.{minor}" for minor in range(before[1] + 1, after[1]))
        return f"{FAILS} the control plane moves one minor version at a time ({shown}): deploy {stops} first"
    if step < 0 and rule.downgrade == "fails":
        return f"{FAILS} a control plane is never downgraded ({shown}): keep {before[0]}.{before[1]}"
    return None
