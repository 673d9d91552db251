"""Shared fixtures: the offline engine is the fixture for every component and program test."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.plan import Plan
from inferstack.infra.project import Project, read_project
from tests import leak_scan

# Before any test module imports a renderer: every Plan, manifest and CLI output of the suite is scanned for
# credentials from here on (tests/leak_scan.py; tests/test_leak_scan.py proves it catches a planted token).
leak_scan.install()

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# This repository's own Pulumi project: the shipped stacks, wherever pytest is started from.
SHIPPED: Project = read_project(REPO / "Pulumi.yaml")

OfflineRunner = Callable[[Callable[[], Mapping[str, Any] | None]], Plan]


@pytest.fixture
def offline() -> OfflineRunner:
    """Run a program (components built inside it) under a fresh strict recording mock; return its Plan."""

    def run(program: Callable[[], Mapping[str, Any] | None]) -> Plan:
        return run_offline(program, stack="test")

    return run


def shipped_stacks() -> dict[str, Path]:
    """The shipped stack files (stacks/Pulumi.<stack>.yaml), by stack name."""
    return SHIPPED.stacks()


@cache
def shipped_plan(stack: str) -> Plan:
    """A shipped stack's plan, computed once per test session (plans are read, never changed, by tests)."""
    from tests.inventory_check import plan_stack

    return plan_stack(stack)
