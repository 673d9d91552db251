"""The rooms of infra/ import downwards only: cli -> review -> offline, and nothing imports the CLI back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

INFRA = REPO / "infra"
# Room -> rooms it must never import (at module level or inside a function).
FORBIDDEN = {
    "offline": ("inferstack.infra.review", "inferstack.infra.cli"),
    "review": ("inferstack.infra.cli",),
    "provider": ("inferstack.infra.cli", "inferstack.infra.review", "inferstack.infra.offline"),
}
TOP_LEVEL = ("deploy.py", "program.py", "project.py", "__main__.py")


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def violations(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imported(path) if name.startswith(forbidden))


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_a_room_never_imports_a_higher_one(room: str) -> None:
    for path in sorted((INFRA / room).rglob("*.py")):
        assert not violations(path, FORBIDDEN[room]), f"{path.relative_to(REPO)}: {violations(path, FORBIDDEN[room])}"


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_the_live_side_never_imports_the_cli_or_the_readers(name: str) -> None:
    path = INFRA / name
    assert not violations(path, ("inferstack.infra.cli", "inferstack.infra.review")), path


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from inferstack.infra.cli.common import fail\n")
    assert violations(probe, FORBIDDEN["offline"]) == [
        "inferstack.infra.cli.common",
        "inferstack.infra.cli.common.fail",
    ]
