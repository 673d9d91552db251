"""From a stack file to its raw `inferstack:environment` document, and from a document to a field-valid spec.

Only the shape is checked here (types, ranges, patterns); `inferstack.validation` adds `auto` resolution and
the cross-field rules that need the catalog.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from inferstack.spec.base import KEY_PATTERN
from inferstack.spec.errors import ROOT, SpecError, SpecIssue, join_path
from inferstack.spec.issues import issues_from_validation_error
from inferstack.spec.models import EnvironmentSpec
from inferstack.spec.yaml_reader import YamlProblem, YamlProblems, decode, load_yaml

CONFIG_KEY = "inferstack:environment"
STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[^.]+)\.ya?ml$")


def validate_fields(document: object, default_name: str) -> EnvironmentSpec:
    """Validate a config value's fields into a spec (`auto` values kept); raise SpecError listing every problem."""
    if not isinstance(document, dict):
        raise SpecError(
            [SpecIssue(ROOT, f"must be a mapping (got {type(document).__name__})", "see `inferstack schema`")]
        )
    document = dict(document)  # the caller's document stays as it was
    issues: list[SpecIssue] = []
    if "name" not in document:
        if not re.match(KEY_PATTERN, default_name):
            fix = "set name: to a short lowercase name such as dev"
            issues.append(
                SpecIssue(join_path(ROOT, "name"), f"the stack name {default_name!r} is not a valid default name", fix)
            )
        else:
            document["name"] = default_name
    try:
        spec = EnvironmentSpec.model_validate(document)
    except ValidationError as exc:
        # Every field-level problem of the document at once, a bad default name among them.
        found = issues_from_validation_error(exc)
        if issues:  # the name is missing because the default was refused: "is required" would say it twice
            found = [issue for issue in found if issue.path != join_path(ROOT, "name")]
        raise SpecError(issues + found) from None
    if issues:
        raise SpecError(issues)
    return spec


def stack_name_of(path: Path) -> str:
    """The stack name a `Pulumi.<stack>.yaml` file is for."""
    match = STACK_FILE.match(path.name)
    if not match:
        raise SpecError([SpecIssue(str(path), "is not named Pulumi.<stack>.yaml", "rename the file")])
    return match.group("stack")


def read_stack_config(path: Path) -> dict[str, object]:
    """The whole `config:` mapping of a stack file (provider settings beside `inferstack:environment`)."""
    try:
        data = load_yaml(decode(path.read_bytes()))
    except OSError as exc:
        raise SpecError([SpecIssue(str(path), f"cannot be read: {exc.strerror}", "check the path")]) from None
    except YamlProblems as exc:
        raise SpecError([yaml_issue(str(path), problem) for problem in exc.problems]) from None
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict) or CONFIG_KEY not in config:
        raise SpecError(
            [SpecIssue(f"{path}: config", f"has no {CONFIG_KEY} key", f"add config: {{{CONFIG_KEY}: {{...}}}}")]
        )
    return {str(key): value for key, value in config.items()}


def read_stack_document(path: Path) -> object:
    """The raw `inferstack:environment` value of a stack file."""
    return read_stack_config(path)[CONFIG_KEY]


def yaml_issue(source: str, problem: YamlProblem) -> SpecIssue:
    """A YAML reading problem as a SpecIssue of its file, the line first."""
    where = problem.where()
    return SpecIssue(source, f"{where}: {problem.message}" if where else problem.message, problem.fix)
