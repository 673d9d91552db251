"""Monitoring rules that relate fields: routes name real receivers; production keeps its metrics on a volume."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path


def check_monitoring(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Routes name declared receivers; `production: true` never turns Prometheus's persistent storage off."""
    monitoring = spec.monitoring
    for severity, receiver in sorted(monitoring.routes.items()):
        if receiver not in monitoring.receivers:
            known = ", ".join(sorted(monitoring.receivers)) or "none declared"
            yield SpecIssue(
                field_path("monitoring", "routes", severity),
                f"names receiver {receiver!r}, which monitoring.receivers does not declare ({known})",
                f"add monitoring.receivers.{receiver} with its type and secret, or route to a declared receiver",
            )
    if spec.production and monitoring.persistent_storage is False:
        yield SpecIssue(
            field_path("monitoring", "persistent_storage"),
            "is false in a production stack: every Prometheus restart or node replacement would lose the metrics "
            "alerts and capacity reviews read",
            "remove persistent_storage: false (production keeps Prometheus on a persistent volume)",
        )
