"""From a stack file to its raw `inferstack:environment` document, and from a document to a field-valid spec.

Only the shape is checked here (types, ranges, patterns); `inferstack.validation` adds `auto` resolution and
the cross-field rules that need the catalog.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from inferstack.spec.base import KEY_PATTERN
from inferstack.spec.errors import ROOT, SpecError, SpecIssue, join_path
from inferstack.spec.issues import issues_from_validation_error
from inferstack.spec.models import EnvironmentSpec

CONFIG_KEY = "inferstack:environment"
STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[^.]+)\.ya?ml$")


def validate_fields(document: object, default_name: str) -> EnvironmentSpec:
    """Validate a config value's fields into a spec (`auto` values kept); raise SpecError listing every problem."""
    if not isinstance(document, dict):
        raise SpecError(
            [SpecIssue(ROOT, f"must be a mapping (got {type(document).__name__})", "see `inferstack schema`")]
        )
    document = dict(document)  # the caller's document stays as it was
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
    try:
        return EnvironmentSpec.model_validate(document)
    except ValidationError as exc:
        raise SpecError(issues_from_validation_error(exc)) from None


def stack_name_of(path: Path) -> str:
    """The stack name a `Pulumi.<stack>.yaml` file is for."""
    match = STACK_FILE.match(path.name)
    if not match:
        raise SpecError([SpecIssue(str(path), "is not named Pulumi.<stack>.yaml", "rename the file")])
    return match.group("stack")


def read_stack_config(path: Path) -> dict[str, object]:
    """The whole `config:` mapping of a stack file (provider settings beside `inferstack:environment`)."""
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
    return {str(key): value for key, value in config.items()}


def read_stack_document(path: Path) -> object:
    """The raw `inferstack:environment` value of a stack file."""
    return read_stack_config(path)[CONFIG_KEY]
