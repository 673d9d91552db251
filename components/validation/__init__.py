"""Validating a stack: `auto` resolution and the cross-field rules, above both the spec shapes and planning.

`inferstack.spec` says what a stack file may contain; this package decides whether a given one makes sense
(regions, catalog types, model fit, reserved names), using the catalog and planning's pure decisions.
"""

from inferstack.validation.checks import ALL_CHECKS, ALL_WARNINGS, check_environment, warn_environment
from inferstack.validation.load import (
    CheckedSpec,
    check_spec,
    load_stack_file,
    load_stack_file_checked,
    load_stack_file_explained,
    parse_environment,
    parse_environment_checked,
    parse_environment_explained,
)

__all__ = [
    "ALL_CHECKS",
    "ALL_WARNINGS",
    "CheckedSpec",
    "check_environment",
    "check_spec",
    "load_stack_file",
    "load_stack_file_checked",
    "load_stack_file_explained",
    "parse_environment",
    "parse_environment_checked",
    "parse_environment_explained",
    "warn_environment",
]
