"""What every cloud's examples share: run one example offline, and find the public components of a cloud."""

from __future__ import annotations

from collections.abc import Callable

import pulumi

import inferstack
from tests.conftest import OfflineRunner

Example = tuple[Callable[[], None], str]


def check_example(offline: OfflineRunner, component: str, example: Example) -> None:
    """The example runs under the strict mocks and builds the component and its core resource."""
    build, core = example
    plan = offline(build)
    assert plan.of_type(f"inferstack:index:{component}"), component
    assert plan.of_type(core), f"{component} built no {core}"


def public_components(package: str) -> set[str]:
    """The names in `inferstack.__all__` that are ComponentResources defined under `package`."""
    found = set()
    for name in inferstack.__all__:
        value = getattr(inferstack, name)
        if (
            isinstance(value, type)
            and issubclass(value, pulumi.ComponentResource)
            and value.__module__.startswith(package)
        ):
            found.add(name)
    return found
