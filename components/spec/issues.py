"""pydantic's validation errors, translated into SpecIssues that name the YAML path, the problem and a fix."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from inferstack.spec.errors import ROOT, SpecIssue, join_path
from inferstack.spec.models import EnvironmentSpec


def issues_from_validation_error(error: ValidationError) -> list[SpecIssue]:
    """One SpecIssue per pydantic error of an EnvironmentSpec document."""
    return [issue_from_pydantic(detail) for detail in error.errors()]


def issue_from_pydantic(error: ErrorDetails) -> SpecIssue:
    """One pydantic error as a SpecIssue; the field's description is the fix, unknown fields list the allowed."""
    loc = [part for part in error["loc"] if not _is_union_tag(part)]
    path = join_path(ROOT, *loc)
    kind = error["type"]
    field = _field_info(loc)
    hint = field.description if field is not None and field.description else ""
    if kind == "missing":
        return SpecIssue(path, "is required", hint)
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1])
        return SpecIssue(path, "unknown field", f"allowed here: {', '.join(allowed)}" if allowed else "remove it")
    if kind == "string_pattern_mismatch":
        return SpecIssue(path, f"{error['input']!r} does not have the expected form", hint)
    got = error.get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) or got is None else ""
    message = error["msg"][0].lower() + error["msg"][1:]
    return SpecIssue(path, f"{message}{shown}", hint)


def _is_union_tag(part: int | str) -> bool:
    # pydantic inserts the chosen union member (e.g. "str", "function-after[...]", the "int" tag of
    # tensor_parallel) into error locations; the YAML path has no such part.
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "none"})


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
        skip_next = _is_container(annotation)
        model = model_in(annotation)
    return model


def _is_container(annotation: Any) -> bool:
    if get_origin(annotation) in (dict, list):
        return True
    return any(_is_container(arg) for arg in get_args(annotation) if arg is not type(None))


def _field_info(loc: list[int | str]) -> FieldInfo | None:
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _model_at(loc[:-1])
    return parent.model_fields.get(loc[-1]) if parent is not None else None


def _allowed_fields(parent_loc: list[int | str]) -> list[str]:
    model = _model_at(parent_loc)
    return sorted(model.model_fields) if model is not None else []
