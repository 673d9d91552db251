"""Reference tables generated from the spec models, so the README never drifts from the code.

A development tool of this repository (not part of the installed package): `.venv/bin/python -m tests.docs`
rewrites the README's generated sections, and tests/test_docs.py fails when they are stale.
"""

from __future__ import annotations

from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from inferstack.spec.issues import model_in as _model_in
from inferstack.spec.models import EnvironmentSpec

README = Path(__file__).resolve().parent.parent / "README.md"  # the repository's README, beside tests/
SECTIONS = ("spec-reference", "policy-rules")


def _type_name(annotation: object) -> str:
    """A short, readable type: `dict[str, NodePoolSpec]`, `str | null`, `'aws' | 'gcp'`."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_name(args[0])
    if origin is Literal:
        return " | ".join(repr(arg) for arg in args)
    if origin in (Union, UnionType):
        return " | ".join(_type_name(arg) for arg in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        # A list held as a tuple (frozen specs): the YAML writes a list.
        return f"list[{_type_name(args[0])}]"
    if origin is not None:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(_type_name(arg) for arg in args)}]"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def spec_reference() -> str:
    """Markdown tables, one per spec model, listing each field, its type and its description."""
    sections: list[str] = []
    pending: list[tuple[str, type[BaseModel]]] = [("environment", EnvironmentSpec)]
    seen: set[type[BaseModel]] = set()
    while pending:
        path, model = pending.pop(0)
        if model in seen:
            continue
        seen.add(model)
        rows = [f"#### `{path}` ({model.__name__})", "", (model.__doc__ or "").strip(), ""]
        rows += ["| field | type | description |", "|---|---|---|"]
        for name, field in model.model_fields.items():
            cells = [f"`{name}`", f"`{_type_name(field.annotation)}`", field.description or ""]
            rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
            inner = _model_in(field.annotation)
            if inner is not None:
                suffix = ".<key>" if "dict[" in str(field.annotation) else ""
                pending.append((f"{path}.{name}{suffix}", inner))
        sections.append("\n".join(rows))
    return "\n\n".join(sections)


def policy_reference() -> str:
    """A Markdown table of every rule in the policy pack with its default enforcement and parameters."""
    from inferstack.infra.review.policy_check import resolve_config
    from inferstack.policies.pack import ALL_RULES

    rows = ["| rule | default | severity | what it requires | parameters |", "|---|---|---|---|---|"]
    for rule in ALL_RULES:
        schema = rule.config_schema.properties if rule.config_schema else {}
        params = ", ".join(f"`{key}` (default `{value.get('default')}`)" for key, value in schema.items())
        cells = [
            f"`{rule.name}`",
            resolve_config(rule).enforcement.value,
            rule.severity.value if rule.severity else "",
            rule.description,
            params or "—",
        ]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def readme_with_reference(text: str) -> str:
    """The README text with every generated section replaced by its current content."""
    generators = {"spec-reference": spec_reference, "policy-rules": policy_reference}
    for section in SECTIONS:
        start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = f"{before}{start}\n{generators[section]()}\n{end}{after}"
    return text


def main() -> None:
    """Rewrite the README's generated sections (spec reference, policy rules) in place."""
    README.write_text(readme_with_reference(README.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
