"""The public API of `components` is explicit and its signatures are snapshot-tested.

A breaking change (a renamed or removed name, a changed parameter) fails here. When it is intended, record it in
CHANGELOG.md and regenerate: .venv/bin/python -m tests.test_public_api > tests/public_api.txt
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import inferstack

SNAPSHOT = Path(__file__).resolve().parent / "public_api.txt"


def describe(name: str) -> str:
    """One line per public name: its kind and signature (constructor for classes)."""
    value = getattr(inferstack, name)
    if inspect.isclass(value):
        fields = getattr(value, "model_fields", None)
        if fields is not None:  # a pydantic spec model: its fields are its interface
            return f"model {name}({', '.join(f'{key}: {field.annotation}' for key, field in fields.items())})"
        init = value.__init__ if "__init__" in vars(value) or value.__init__ is not object.__init__ else None
        signature = inspect.signature(init) if init is not None else "()"
        return f"class {name}{signature}"
    return f"def {name}{inspect.signature(value)}"


def snapshot() -> str:
    """The whole public API, one line per name, sorted."""
    # Default values that are functions print their memory address: drop it, it is not part of the API.
    return "\n".join(re.sub(r" at 0x[0-9a-f]+", "", describe(name)) for name in inferstack.__all__) + "\n"


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in inferstack.__all__:
        value = getattr(inferstack, name)
        assert inspect.getdoc(value), f"{name} has no docstring"


def test_public_api_matches_the_snapshot() -> None:
    assert snapshot() == SNAPSHOT.read_text(), (
        "the public API changed: if intended, note it in CHANGELOG.md and regenerate with "
        ".venv/bin/python -m tests.test_public_api > tests/public_api.txt"
    )


def test_importing_inferstack_loads_no_cloud_sdk() -> None:
    import subprocess

    code = "import sys, inferstack; print('pulumi_aws' in sys.modules or 'pulumi_gcp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


if __name__ == "__main__":
    sys.stdout.write(snapshot())
