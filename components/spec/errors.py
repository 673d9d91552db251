"""Spec problems as data: each names its YAML path, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from inferstack.spec.credentials import redact

# Every YAML path starts here: the value of the `inferstack:environment` key.
ROOT = "environment"


@dataclass(frozen=True, order=True)
class _PathMessage:
    """A YAML path, a message and a fix, each redacted of anything credential-shaped."""

    path: str
    message: str
    fix: str = ""

    def __post_init__(self) -> None:
        # No message repeats a credential, whichever check quoted the value: errors reach terminals and CI logs.
        for name in ("path", "message", "fix"):
            object.__setattr__(self, name, redact(getattr(self, name)))


@dataclass(frozen=True, order=True)
class SpecIssue(_PathMessage):
    """One problem in a stack document, located by its dotted YAML path."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" + (f" — {self.fix}" if self.fix else "")


@dataclass(frozen=True, order=True)
class SpecWarning(_PathMessage):
    """A stack that will run, but not as its author may expect: the YAML path, the consequence and the fix."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" + (f" — {self.fix}" if self.fix else "")


class SpecError(ValueError):
    """Raised when a stack document is invalid; carries every issue found, not just the first."""

    def __init__(self, issues: list[SpecIssue], source: str = "") -> None:
        self.issues = sorted(set(issues))
        self.source = source
        header = f"{source}: " if source else ""
        count = len(self.issues)
        lines = [f"{header}{count} problem{'s' if count != 1 else ''} in the environment spec:"]
        lines += [f"  {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


def join_path(*parts: str | int) -> str:
    """Join YAML path parts: names with dots, list indexes in brackets."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
