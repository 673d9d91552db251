"""pydantic's validation errors, translated into SpecIssues that name the YAML path, the problem and a fix."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from inferstack.spec.credentials import REVOKE, credential_kind, credential_problem
from inferstack.spec.errors import ROOT, SpecIssue, join_path
from inferstack.spec.models import EnvironmentSpec

# The tags of the spec's discriminated unions (spec/model_parts.py), by the field they follow in a location.
UNION_TAGS = {"tensor_parallel": ("int", "auto"), "shape": ("key", "numbers")}
# Integers longer than this are quoted by their number of digits.
MAX_SHOWN_DIGITS = 20


def issues_from_validation_error(error: ValidationError) -> list[SpecIssue]:
    """One SpecIssue per pydantic error of an EnvironmentSpec document."""
    return [issue_from_pydantic(detail) for detail in error.errors()]


def document_loc(error: ErrorDetails) -> list[int | str]:
    """Where a pydantic error is in the YAML document: its location without pydantic's union-member parts."""
    raw = error["loc"]
    return [part for i, part in enumerate(raw) if not _is_union_tag(part, raw[i - 1] if i else None)]


def issue_from_pydantic(error: ErrorDetails) -> SpecIssue:
    """One pydantic error as a SpecIssue; the field's description is the fix, unknown fields list the allowed."""
    loc = document_loc(error)
    path = join_path(ROOT, *loc)
    kind = error["type"]
    field = _field_info(loc)
    hint = field.description if field is not None and field.description else ""
    got = error.get("input")
    if isinstance(got, str) and (credential := credential_kind(got)) is not None:
        return SpecIssue(path, credential_problem(credential), f"remove it ({hint}); {REVOKE}")
    if kind == "missing":
        return SpecIssue(path, "is required", hint)
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1])
        return SpecIssue(path, "unknown field", f"allowed here: {', '.join(allowed)}" if allowed else "remove it")
    if kind == "too_short" and error.get("input") in ([], {}):
        # An empty list is not "the default": `zones: []` would give a pool no zone to place a node in.
        return SpecIssue(path, "is empty", f"list at least one, or leave it out for the default ({hint})")
    if kind == "string_pattern_mismatch":
        return SpecIssue(path, f"{error['input']!r} does not have the expected form", hint)
    shown = f" (got {_shown(got)})" if isinstance(got, str | int | float | bool) or got is None else ""
    message = error["msg"][0].lower() + error["msg"][1:]
    return SpecIssue(path, f"{message}{shown}", hint)


def _shown(value: object) -> str:
    """A rejected input as the message quotes it; a huge integer by its size, not its 400 digits."""
    text = repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(text) > MAX_SHOWN_DIGITS:
        return f"a {len(text.lstrip('-'))}-digit number"
    return text


def _is_union_tag(part: int | str, before: int | str | None) -> bool:
    # pydantic inserts the chosen union member into error locations: "function-after[...]" of plain unions,
    # and the tag of a discriminated union right after its field; the YAML path has no such part. Only the
    # part after the field is a tag, so a model or pool key spelled like one keeps its place in the path.
    if isinstance(part, str) and "[" in part:
        return True
    return isinstance(before, str) and part in UNION_TAGS.get(before, ())


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The spec model an annotation holds (directly, in a union, or as dict/list values), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


def _model_at(loc: list[int | str]) -> type[BaseModel] | None:
    """The model a location points into, following fields and skipping dict keys and list indexes."""
    model: type[BaseModel] | None = EnvironmentSpec
    skip_next = False
    for part in loc:
        if skip_next:
            skip_next = False
            continue
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        skip_next = is_container(annotation)
        model = model_in(annotation)
    return model


def is_container(annotation: Any) -> bool:
    """Whether an annotation is (or optionally is) a dict or list, whose next location part is a key or index."""
    if get_origin(annotation) in (dict, list):
        return True
    return any(is_container(arg) for arg in get_args(annotation) if arg is not type(None))


def _field_info(loc: list[int | str]) -> FieldInfo | None:
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _model_at(loc[:-1])
    if parent is not None:
        return parent.model_fields.get(loc[-1])
    # An entry of a mapping of plain values (a model's adapters, a pool's labels): the mapping's description is the fix.
    for depth in (1, 2):
        owner = _model_at(loc[: -depth - 1]) if len(loc) > depth else None
        name = loc[-depth - 1] if len(loc) > depth else None
        field = owner.model_fields.get(name) if owner is not None and isinstance(name, str) else None
        if field is not None and get_origin(field.annotation) is dict:
            return field
    return None


def _allowed_fields(parent_loc: list[int | str]) -> list[str]:
    model = _model_at(parent_loc)
    return sorted(model.model_fields) if model is not None else []
