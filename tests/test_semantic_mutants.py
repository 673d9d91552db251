"""A stack that validates must plan: a small, seeded sample of plausible edits to the shipped stacks.

The full run is on demand (`.venv/bin/python -m tests.bench.semantic_fuzz --count 800`); this sample keeps the
promise in the suite: every mutant is refused with exit 2 or validates, plans and prices without a traceback.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.bench.semantic_fuzz import check, mutants

SAMPLE = 6


def test_plausible_edits_are_refused_or_plan(tmp_path: Path) -> None:
    planned = 0
    for index, (name, what, data) in enumerate(mutants(seed=11, count=SAMPLE, edits=2)):
        target = tmp_path / str(index) / name
        target.parent.mkdir()
        target.write_text(yaml.safe_dump(data, sort_keys=False))
        outcome = check(target)
        assert outcome.finding is None, (name, what, outcome.finding)
        planned += outcome.planned
    # Most plausible edits keep a stack valid, so the sample exercises `plan` and `cost`, not only `validate`.
    assert planned >= SAMPLE // 3, planned
