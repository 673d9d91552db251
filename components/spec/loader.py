"""From a stack file (or its parsed config value) to a checked `EnvironmentSpec`, or every error at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from inferstack.spec.checks import ROOT, check_environment
from inferstack.spec.errors import SpecError, SpecIssue, join_path
from inferstack.spec.models import KEY_PATTERN, EnvironmentSpec

CONFIG_KEY = "inferstack:environment"
STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[^.]+)\.ya?ml$")


def parse_environment(document: object, default_name: str) -> EnvironmentSpec:
    """Validate a config value (plain YAML data) into a spec; raise SpecError listing every problem."""
    return parse_environment_explained(document, default_name)[0]


def parse_environment_explained(document: object, default_name: str) -> tuple[EnvironmentSpec, list[Any]]:
    """Like parse_environment, also returning the values chosen for `auto` (each with its reason)."""
    if not isinstance(document, dict):
        raise SpecError(
            [SpecIssue(ROOT, f"must be a mapping (got {type(document).__name__})", "see `inferstack schema`")]
        )
    document = dict(document)
    if "name" not in document:
        if not re.match(KEY_PATTERN, default_name):
            raise SpecError(
                [
                    SpecIssue(
                        join_path(ROOT, "name"),
                        f"the stack name {default_name!r} is not a valid default name",
                        "set name: to a short lowercase name such as dev",
                    )
                ]
            )
        document["name"] = default_name
    tp_auto = _take_auto_tensor_parallel(document)
    try:
        spec = EnvironmentSpec.model_validate(document)
    except ValidationError as exc:
        raise SpecError([_issue_from_pydantic(error) for error in exc.errors()]) from None
    # Imported here: auto resolution uses the sizing model, which itself reads the spec models.
    from inferstack.planning.auto import resolve_auto

    resolution = resolve_auto(spec, tp_auto)
    issues = [*resolution.issues, *check_environment(resolution.spec)]
    if issues:
        raise SpecError(issues)
    return resolution.spec, list(resolution.choices)


def _take_auto_tensor_parallel(document: dict[str, Any]) -> frozenset[str]:
    """Models whose tensor_parallel is `auto`; their document gets 1 until the choice is made."""
    models = document.get("models")
    if not isinstance(models, dict):
        return frozenset()
    models = dict(models)  # the caller's document stays as it was
    chosen = set()
    for key, model in list(models.items()):
        if isinstance(model, dict) and model.get("tensor_parallel") == "auto":
            models[key] = {**model, "tensor_parallel": 1}
            chosen.add(str(key))
    if chosen:
        document["models"] = models
    return frozenset(chosen)


def check_spec(spec: EnvironmentSpec) -> EnvironmentSpec:
    """Raise SpecError if a spec built in code breaks a cross-field rule; return it unchanged otherwise."""
    issues = check_environment(spec)
    if issues:
        raise SpecError(issues)
    return spec


def stack_name_of(path: Path) -> str:
    """The stack name a `Pulumi.<stack>.yaml` file is for."""
    match = STACK_FILE.match(path.name)
    if not match:
        raise SpecError([SpecIssue(str(path), "is not named Pulumi.<stack>.yaml", "rename the file")])
    return match.group("stack")


def read_stack_document(path: Path) -> object:
    """The raw `inferstack:environment` value of a stack file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError([SpecIssue(str(path), f"cannot be read: {exc.strerror}", "check the path")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SpecError([SpecIssue(str(path), f"is not valid YAML{where}: {problem}", "fix the YAML syntax")]) from None
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict) or CONFIG_KEY not in config:
        raise SpecError(
            [SpecIssue(f"{path}: config", f"has no {CONFIG_KEY} key", f"add config: {{{CONFIG_KEY}: {{...}}}}")]
        )
    return config[CONFIG_KEY]


def load_stack_file(path: Path) -> EnvironmentSpec:
    """Read, validate and check one stack file; the stack name is the default environment name."""
    return load_stack_file_explained(path)[0]


def load_stack_file_explained(path: Path) -> tuple[EnvironmentSpec, list[Any]]:
    """Like load_stack_file, also returning the values chosen for `auto` (each with its reason)."""
    stack = stack_name_of(path)
    document = read_stack_document(path)
    try:
        return parse_environment_explained(document, stack)
    except SpecError as exc:
        raise SpecError(exc.issues, source=str(path)) from None


def _issue_from_pydantic(error: ErrorDetails) -> SpecIssue:
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
    # pydantic inserts the chosen union member (e.g. "str", "function-after[...]") into error locations.
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "none"})


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
        model = _model_in(annotation)
    return model


def _is_container(annotation: Any) -> bool:
    if get_origin(annotation) in (dict, list):
        return True
    return any(_is_container(arg) for arg in get_args(annotation) if arg is not type(None))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _field_info(loc: list[int | str]) -> FieldInfo | None:
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _model_at(loc[:-1])
    return parent.model_fields.get(loc[-1]) if parent is not None else None


def _allowed_fields(parent_loc: list[int | str]) -> list[str]:
    model = _model_at(parent_loc)
    return sorted(model.model_fields) if model is not None else []
