"""Nothing lost in production: turning data protection off in a production stack is an explicit decision."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path


def check_production_protection(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """`production: true` with `model_store.protect: false` needs `model_store.unprotected_in_production: true`."""
    store = spec.model_store
    if spec.production and store.protect is False and not store.unprotected_in_production:
        yield SpecIssue(
            field_path("model_store", "protect"),
            "is false in a production stack: a `pulumi destroy` or a replacement would delete the weights bucket "
            "and its encryption keys",
            "remove protect: false (production protects them), or acknowledge it with "
            "model_store.unprotected_in_production: true",
        )
