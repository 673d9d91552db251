"""The suite's leak scan: every Plan, manifest and CLI output the tests produce is searched for credentials.

`install()` runs once, from tests/conftest.py, before any test module is imported, so the names test modules
import are already the scanning ones. It wraps the three places output leaves inferstack: the offline engine's
Plan (every `run_offline`, so every `inferstack plan` and every shipped plan), the manifest renderer, and
typer's test runner (every CLI invocation). A finding fails the test that produced it.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from typer.testing import CliRunner

from inferstack.infra.offline import engine
from inferstack.infra.offline.plan import Plan
from inferstack.infra.review import manifests
from inferstack.spec.credentials import find_credentials


class CredentialLeak(AssertionError):
    """Something inferstack produced holds a credential-shaped string."""


def scan(text: str, where: str) -> str:
    """The text unchanged, or CredentialLeak naming what was found and where (never the value)."""
    found = find_credentials(text)
    if found:
        kinds = ", ".join(sorted({match.kind for match in found}))
        raise CredentialLeak(f"{where} holds {len(found)} credential-shaped string(s): {kinds}")
    return text


def _scanned_plan(**fields: Any) -> Plan:
    plan = Plan(**fields)
    scan(plan.to_json(), f"the Plan JSON of stack {plan.stack!r}")
    return plan


def _scanned_manifests(plan: Plan) -> dict[str, dict[str, Any]]:
    rendered = _ORIGINAL_PLAN_MANIFESTS(plan)
    scan(yaml.safe_dump(rendered), f"the manifests of stack {plan.stack!r}")
    return rendered


def _scanned_yaml(document: dict[str, Any]) -> str:
    return scan(_ORIGINAL_TO_YAML(document), "a rendered manifest")


_ORIGINAL_PLAN_MANIFESTS = manifests.plan_manifests
_ORIGINAL_TO_YAML = manifests.to_yaml
_ORIGINAL_INVOKE = CliRunner.invoke


@functools.wraps(_ORIGINAL_INVOKE)
def _scanned_invoke(self: CliRunner, *args: Any, **kwargs: Any) -> Any:
    result = _ORIGINAL_INVOKE(self, *args, **kwargs)
    scan(result.output, "the CLI output")
    try:
        stderr = result.stderr
    except ValueError:  # click's runner mixes stderr into output unless asked to keep it apart
        stderr = ""
    scan(stderr, "the CLI error output")
    return result


def install() -> None:
    """Wrap the engine's Plan, the manifest renderer and the CLI test runner with the scan (idempotent)."""
    engine.Plan = _scanned_plan  # type: ignore[assignment]  # run_offline looks Plan up when it returns
    manifests.plan_manifests = _scanned_manifests
    manifests.to_yaml = _scanned_yaml
    CliRunner.invoke = _scanned_invoke  # type: ignore[method-assign]


def installed() -> bool:
    """Whether the scan is in place (a test proves it, so it cannot silently stop running)."""
    return getattr(engine, "Plan") is _scanned_plan and CliRunner.invoke is _scanned_invoke  # noqa: B009
