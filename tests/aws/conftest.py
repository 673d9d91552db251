"""The shipped AWS stacks, planned once per session, with the resource options the Plan does not record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from inferstack.infra import engine
from inferstack.infra.plan import Plan, PlannedResource
from tests.inventory_check import plan_stack

AWS_STACKS = ("aws-dev", "aws-prod")


@dataclass
class PlannedStack:
    """A stack's Plan plus, per (type, name), the protect flag and ignore_changes it was registered with."""

    plan: Plan
    protect: dict[tuple[str, str], bool] = field(default_factory=dict)
    ignore_changes: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def one(self, type_token: str, name: str) -> PlannedResource:
        """The single resource of a type with a name."""
        (found,) = [r for r in self.plan.of_type(type_token) if r.name == name]
        return found


def _plan_with_options(stack: str) -> PlannedStack:
    result = PlannedStack(plan=Plan(project="", stack=stack, resources=[], outputs={}))
    original = engine._RecordingMonitor.RegisterResource

    def recording(self: Any, request: Any) -> Any:
        result.protect[(request.type, request.name)] = bool(request.protect)
        result.ignore_changes[(request.type, request.name)] = list(request.ignoreChanges)
        return original(self, request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine._RecordingMonitor, "RegisterResource", recording)
        result.plan = plan_stack(stack)
    return result


@pytest.fixture(scope="session")
def aws_stacks() -> dict[str, PlannedStack]:
    """Both shipped AWS stacks, planned once."""
    return {stack: _plan_with_options(stack) for stack in AWS_STACKS}
