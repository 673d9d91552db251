"""The mutation fuzz of issue 13, kept: thousands of broken stack files, each a spec or exit 2, never a traceback.

In process: a few thousand seeded mutants of the shipped stacks through the same loader `validate` uses. Through
the CLI: a small sample, where `validate` exits 0 or 2 and a stack that validates plans with 0 or 1.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID, EXIT_POLICY
from inferstack.spec import CONFIG_KEY, SpecError
from inferstack.spec.errors import ROOT, join_path
from inferstack.validation import load_stack_file_checked, parse_environment
from tests.conftest import shipped_stacks
from tests.fuzz import (
    CREDENTIAL_MUTATIONS,
    MUTATIONS,
    Mutant,
    Mutation,
    deep_nesting,
    duplicate_key,
    encoding,
    huge_integer,
    mutants,
)

SEED = 13
IN_PROCESS = 1500
SEEDS = [path.read_text(encoding="utf-8") for path in shipped_stacks().values()]
runner = CliRunner()


def outcome(path: Path, mutant: Mutant) -> str | None:
    """The error text of a mutant loaded from `path` (None when it is a valid stack); any other exception escapes."""
    path.write_bytes(mutant.data)
    try:
        checked = load_stack_file_checked(path)
    except SpecError as error:
        assert error.issues, "a SpecError carries at least one issue"
        return str(error)
    if b"\n    name:" not in mutant.data:
        # The default name is the stack's, whichever of .yaml and .yml the file ends with.
        assert checked.spec.name == "fuzz", path.name
    return None


def test_thousands_of_mutants_are_a_spec_or_a_spec_error(tmp_path: Path) -> None:
    kinds: Counter[str] = Counter()
    valid = 0
    for index, mutant in enumerate(mutants(SEEDS, IN_PROCESS, SEED)):
        path = tmp_path / f"Pulumi.fuzz.{'yml' if index % 2 else 'yaml'}"
        try:
            error = outcome(path, mutant)
        except Exception as exc:  # the fuzz's finding: anything but a SpecError is a traceback for a user
            pytest.fail(f"mutant {index} ({mutant.kind}) raised {type(exc).__name__}: {exc}\n{mutant.data[:300]!r}")
        kinds[mutant.kind] += 1
        valid += error is None
        if mutant.expect is not None:
            assert error is not None and mutant.expect in error, (index, mutant.kind, mutant.expect, error)
        if mutant.kind == "credential":
            # Refused whatever field it lands in, and the message never repeats it.
            assert error is not None, (index, mutant.data[:300])
            assert not any(prefix in error for prefix in ("hf_", "AKIA", "sk-ant-", "ghp_")), (index, error)
    # Every class is exercised, and enough mutants stay valid for the checks on valid stacks to mean something.
    assert len(kinds) == len(MUTATIONS) + len(CREDENTIAL_MUTATIONS), kinds
    assert min(kinds.values()) >= IN_PROCESS // (4 * (len(MUTATIONS) + len(CREDENTIAL_MUTATIONS))), kinds
    assert valid >= IN_PROCESS // 50, valid


def _leaves(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*prefix, key))]
    if isinstance(node, list):
        return [leaf for index, value in enumerate(node) for leaf in _leaves(value, (*prefix, index))]
    return [prefix]


def _set(document: dict[str, Any], path: tuple[Any, ...], value: object) -> None:
    parent: Any = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value


@pytest.mark.parametrize("draw", range(40))
def test_two_wrong_types_are_both_reported(draw: int) -> None:
    # Item 3 of the issue: one type error must not hide another, wherever the two are.
    rng = random.Random(SEED * 1000 + draw)
    document = copy.deepcopy(yaml.safe_load(rng.choice(SEEDS))["config"][CONFIG_KEY])
    leaves = _leaves(document)
    first = rng.choice(leaves)
    second = rng.choice([leaf for leaf in leaves if leaf[0] != first[0]])
    for leaf in (first, second):
        _set(document, leaf, {"fuzz": [1]})
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "fuzz")
    paths = {issue.path for issue in caught.value.issues}
    assert {join_path(ROOT, *first), join_path(ROOT, *second)} <= paths, str(caught.value)


def _markup_stack(rng: random.Random) -> Mutant:
    # Valid stacks whose strings are rich markup (GCP admins take any member name): `plan` must print them.
    text = rng.choice([seed for seed in SEEDS if "cloud: gcp" in seed and "    cluster:\n" in seed])
    member = rng.choice(["user:[/]@example.com", "user:[bold]x@example.com", "user:a[/]b[red]@example.com"])
    return Mutant(text.replace("    cluster:\n", f'    cluster:\n      admins: ["{member}"]\n', 1).encode(), "markup")


def test_a_cli_sample_exits_0_or_2_and_a_valid_stack_plans(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    sample = [_markup_stack(rng) for _ in range(2)] + mutants(SEEDS, 10, SEED + 1)
    planned = 0
    for index, mutant in enumerate(sample):
        path = tmp_path / f"Pulumi.cli{index}.{'yml' if index % 2 else 'yaml'}"
        path.write_bytes(mutant.data)
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code in (0, EXIT_INVALID), (mutant.kind, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        if mutant.kind == "duplicate":
            assert result.exit_code == EXIT_INVALID and "duplicate key" in result.output
        if result.exit_code == 0 and planned < 2:
            planned += 1
            plan = runner.invoke(app, ["plan", str(path)])
            assert plan.exit_code in (0, EXIT_POLICY), (mutant.kind, plan.output)
            assert plan.exception is None or isinstance(plan.exception, SystemExit), plan.exception
    assert planned >= 2, "the sample holds stacks that validate, so `plan` is exercised"


@pytest.mark.parametrize("mutation", [encoding, deep_nesting, duplicate_key, huge_integer])
def test_the_real_command_answers_hostile_files_with_exit_2(tmp_path: Path, mutation: Mutation) -> None:
    # Through the installed entry point, as a user runs it: stderr holds the message, never a traceback.
    mutant = mutation(random.Random(SEED), SEEDS[0])
    path = tmp_path / "Pulumi.hostile.yaml"
    path.write_bytes(mutant.data)
    command = [sys.executable, "-m", "inferstack.infra.cli", "validate", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == EXIT_INVALID, result.stderr
    assert "Traceback" not in result.stderr and mutant.expect is not None and mutant.expect in result.stderr
