"""The README stays true: generated sections are current and every CLI command is documented."""

from __future__ import annotations

import pytest

from inferstack.infra.cli.app import app
from tests.docs import README, readme_with_reference

TEXT = README.read_text(encoding="utf-8")


def test_spec_reference_is_current() -> None:
    assert readme_with_reference(TEXT) == TEXT, "regenerate with: .venv/bin/python -m tests.docs"


@pytest.mark.parametrize("command", [c.name or c.callback.__name__ for c in app.registered_commands if c.callback])
def test_every_cli_command_is_in_the_reference(command: str) -> None:
    assert f"`inferstack {command}" in TEXT


def test_quick_start_has_the_two_commands() -> None:
    assert ".ci/setup && .venv/bin/inferstack plan aws-dev" in TEXT
    assert "\n.ci/run\n" in TEXT
