"""What the monitoring stack of an environment is, decided once from the spec: storage, Grafana, Alertmanager."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from inferstack.spec.models import EnvironmentSpec
from inferstack.spec.monitoring_parts import ReceiverSpec, Severity

# Prometheus deletes the oldest blocks past this share of its volume, so a busy week fills the retention size
# rather than the disk (a full volume stops ingestion); the rest is room for the WAL and compaction.
RETENTION_SIZE_SHARE = 0.85
# kind/minikube: a day of metrics on the node's disk is enough to develop against.
MINIMAL_RETENTION_DAYS = 1


@dataclass(frozen=True)
class MonitoringPlan:
    """The resolved monitoring settings the add-ons and the Monitoring component read."""

    retention_days: int = 15
    # None: Prometheus keeps its data in the pod (lost on restart).
    storage_gib: int | None = None
    storage_class: str | None = None
    grafana: bool = False
    receivers: dict[str, ReceiverSpec] = field(default_factory=dict)
    routes: dict[Severity, str] = field(default_factory=dict)

    @property
    def alertmanager(self) -> bool:
        """Whether an Alertmanager runs: only when someone is there to hear it."""
        return bool(self.receivers)

    @property
    def retention_size(self) -> str | None:
        """Prometheus's size-based retention on its volume, in Prometheus units (GiB-based `GB`)."""
        return None if self.storage_gib is None else f"{math.floor(self.storage_gib * RETENTION_SIZE_SHARE)}GB"

    def receiver_for(self, severity: Severity) -> str | None:
        """The receiver alerts of a severity go to: its route, else the first receiver by name."""
        return self.routes.get(severity) or (min(self.receivers) if self.receivers else None)


def monitoring_plan(
    spec: EnvironmentSpec, *, minimal: bool = False, default_storage_class: str | None = None
) -> MonitoringPlan:
    """The monitoring plan of a spec; persistent storage defaults to `production`, its class to the target's."""
    monitoring = spec.monitoring
    persistent = monitoring.persistent_storage
    if persistent is None:
        persistent = spec.production
    retention = monitoring.retention_days
    if minimal and "retention_days" not in monitoring.model_fields_set:
        retention = MINIMAL_RETENTION_DAYS
    return MonitoringPlan(
        retention_days=retention,
        storage_gib=monitoring.storage_gib if persistent else None,
        storage_class=monitoring.storage_class or default_storage_class,
        grafana=monitoring.grafana,
        receivers=dict(monitoring.receivers),
        routes=dict(monitoring.routes),
    )
