"""From a stack file (or its parsed config value, or a spec built in code) to a checked `EnvironmentSpec`.

The pipeline: validate the fields (spec) → choose every `auto` (planning/auto.py) → run the cross-field
checks; the problems of every step are reported together in one SpecError.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from inferstack.planning.auto import AutoChoice, resolve_auto
from inferstack.spec.document import CONFIG_KEY, read_stack_config, stack_name_of, validate_fields
from inferstack.spec.errors import SpecError
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.checks import check_environment
from inferstack.validation.provider_config import check_provider_config


def parse_environment(
    document: object, default_name: str, config: Mapping[str, object] | None = None
) -> EnvironmentSpec:
    """Validate a config value (plain YAML data) into a spec; raise SpecError listing every problem.

    `config` is the rest of the stack config (`aws:region`, `gcp:project`, …), checked against the spec when given.
    """
    return parse_environment_explained(document, default_name, config)[0]


def parse_environment_explained(
    document: object, default_name: str, config: Mapping[str, object] | None = None
) -> tuple[EnvironmentSpec, list[AutoChoice]]:
    """Like parse_environment, also returning the values chosen for `auto` (each with its reason)."""
    return _checked(validate_fields(document, default_name), config)


def check_spec(spec: EnvironmentSpec) -> EnvironmentSpec:
    """Resolve `auto` in a spec built in code and apply the cross-field rules; raise SpecError on any problem.

    Returns the spec with every `auto` chosen (the very same object when it has none).
    """
    return _checked(spec)[0]


def load_stack_file(path: Path) -> EnvironmentSpec:
    """Read, validate and check one stack file; the stack name is the default environment name."""
    return load_stack_file_explained(path)[0]


def load_stack_file_explained(path: Path) -> tuple[EnvironmentSpec, list[AutoChoice]]:
    """Like load_stack_file, also returning the values chosen for `auto` (each with its reason)."""
    stack = stack_name_of(path)
    config = read_stack_config(path)
    try:
        return parse_environment_explained(config[CONFIG_KEY], stack, config)
    except SpecError as exc:
        raise SpecError(exc.issues, source=str(path)) from None


def _checked(
    spec: EnvironmentSpec, config: Mapping[str, object] | None = None
) -> tuple[EnvironmentSpec, list[AutoChoice]]:
    resolution = resolve_auto(spec)
    issues = [*resolution.issues, *check_environment(resolution.spec)]
    if config is not None:
        issues += check_provider_config(resolution.spec, config)
    if issues:
        raise SpecError(issues)
    return resolution.spec, list(resolution.choices)
