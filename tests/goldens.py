"""Golden files: compare rendered text with tests/golden/<name>; regenerate with INFERSTACK_REGENERATE=1."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
ENV = "INFERSTACK_REGENERATE"


def check_golden(name: str, text: str, test_path: str) -> None:
    """Assert `text` equals the golden file; write it instead when regenerating."""
    path = GOLDEN / name
    if os.environ.get(ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else None
    command = f"{ENV}=1 .venv/bin/python -m pytest {test_path}"
    assert expected is not None, f"missing golden file tests/golden/{name}; create it with: {command}"
    assert text == expected, f"tests/golden/{name} differs; review the change, then regenerate with: {command}"
