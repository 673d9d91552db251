"""From a stack file (or its parsed config value, or a spec built in code) to a checked `EnvironmentSpec`.

The pipeline: validate the fields (spec) → choose every `auto` (planning/auto.py) → run the cross-field
checks; the problems of every step are reported together in one SpecError. When some fields are invalid, the
cross-field checks run on the document with those values pruned (spec/prune.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from inferstack.planning.auto import AutoChoice, AutoResolution, resolve_auto
from inferstack.spec.document import CONFIG_KEY, read_stack_config, stack_name_of, validate_fields
from inferstack.spec.errors import SpecError, SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec
from inferstack.spec.prune import concerns, prune_document
from inferstack.validation.checks import check_environment, warn_environment
from inferstack.validation.provider_config import PROVIDER_KEYS, check_provider_config
from inferstack.validation.secrets import check_secret_config


@dataclass(frozen=True)
class CheckedSpec:
    """A valid spec, each value chosen for `auto` (with its reason) and the warnings that do not fail it."""

    spec: EnvironmentSpec
    choices: list[AutoChoice] = field(default_factory=list)
    warnings: list[SpecWarning] = field(default_factory=list)
    # The provider settings of the stack config that the spec was checked against (`aws:region`, `gcp:project`).
    provider_config: dict[str, str] = field(default_factory=dict)


def parse_environment(
    document: object, default_name: str, config: Mapping[str, object] | None = None
) -> EnvironmentSpec:
    """Validate a config value (plain YAML data) into a spec; raise SpecError listing every problem.

    `config` is the rest of the stack config (`aws:region`, `gcp:project`, …), checked against the spec when given.
    """
    return parse_environment_checked(document, default_name, config).spec


def parse_environment_explained(
    document: object, default_name: str, config: Mapping[str, object] | None = None
) -> tuple[EnvironmentSpec, list[AutoChoice]]:
    """Like parse_environment, also returning the values chosen for `auto` (each with its reason)."""
    checked = parse_environment_checked(document, default_name, config)
    return checked.spec, checked.choices


def parse_environment_checked(
    document: object, default_name: str, config: Mapping[str, object] | None = None
) -> CheckedSpec:
    """Like parse_environment, returning the spec with its `auto` choices and its warnings."""
    try:
        spec = validate_fields(document, default_name)
    except SpecError as exc:
        # The cross-field rules still run on the field-valid rest, so one type error hides no other problem.
        raise SpecError([*exc.issues, *_issues_of_the_rest(document, default_name, config)]) from None
    return _checked(spec, config)


def check_spec(spec: EnvironmentSpec) -> EnvironmentSpec:
    """Resolve `auto` in a spec built in code and apply the cross-field rules; raise SpecError on any problem.

    Returns the spec with every `auto` chosen (the very same object when it has none).
    """
    return _checked(spec).spec


def load_stack_file(path: Path) -> EnvironmentSpec:
    """Read, validate and check one stack file; the stack name is the default environment name."""
    return load_stack_file_explained(path)[0]


def load_stack_file_explained(path: Path) -> tuple[EnvironmentSpec, list[AutoChoice]]:
    """Like load_stack_file, also returning the values chosen for `auto` (each with its reason)."""
    checked = load_stack_file_checked(path)
    return checked.spec, checked.choices


def load_stack_file_checked(path: Path) -> CheckedSpec:
    """Like load_stack_file, returning the spec with its `auto` choices and its warnings."""
    stack = stack_name_of(path)
    config = read_stack_config(path)
    try:
        return parse_environment_checked(config[CONFIG_KEY], stack, config)
    except SpecError as exc:
        raise SpecError(exc.issues, source=str(path)) from None


def _issues_of_the_rest(document: object, default_name: str, config: Mapping[str, object] | None) -> list[SpecIssue]:
    """The cross-field issues of a field-invalid document's valid rest, but none about what had to be pruned."""
    pruned = prune_document(document, default_name)
    if pruned is None:
        return []
    _, issues = _cross_field(pruned.spec, config)
    return [issue for issue in issues if not concerns(issue, pruned.removed)]


def _cross_field(spec: EnvironmentSpec, config: Mapping[str, object] | None) -> tuple[AutoResolution, list[SpecIssue]]:
    resolution = resolve_auto(spec)
    issues = [*resolution.issues, *check_environment(resolution.spec)]
    if config is not None:
        issues += [*check_provider_config(resolution.spec, config), *check_secret_config(resolution.spec, config)]
    return resolution, issues


def _checked(spec: EnvironmentSpec, config: Mapping[str, object] | None = None) -> CheckedSpec:
    resolution, issues = _cross_field(spec, config)
    if issues:
        raise SpecError(issues)
    settings = {key: str(config[key]) for key in PROVIDER_KEYS[spec.cloud] if config and config.get(key) is not None}
    return CheckedSpec(resolution.spec, list(resolution.choices), warn_environment(resolution.spec), settings)
