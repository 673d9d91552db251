"""The shipped AWS stacks, planned once per session (shared with every other test that reads them)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from inferstack.infra.offline.plan import Plan, PlannedResource
from tests.conftest import shipped_plan

AWS_STACKS = ("aws-dev", "aws-prod")


@dataclass
class PlannedStack:
    """A stack's Plan; its resources carry the options they were registered with (protect, ignore_changes…)."""

    plan: Plan

    def one(self, type_token: str, name: str) -> PlannedResource:
        """The single resource of a type with a name."""
        (found,) = [r for r in self.plan.of_type(type_token) if r.name == name]
        return found


@pytest.fixture(scope="session")
def aws_stacks() -> dict[str, PlannedStack]:
    """Both shipped AWS stacks, planned once."""
    return {stack: PlannedStack(shipped_plan(stack)) for stack in AWS_STACKS}
