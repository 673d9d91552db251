"""Day two: what the environment watches and who hears about it (Prometheus, Grafana, alerts, smoke tests).

Receivers name a Pulumi config key holding their URL or routing key, like `hub_token_secret`: an Alertmanager
webhook URL is a credential (anyone holding it can post into the channel), so it never sits in a stack file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt

from inferstack.spec.base import MAX_DISK_GIB, MAX_RETENTION_DAYS, FrozenSpec, Key

Severity = Literal["critical", "warning"]
SECRET_NAME = r"^[A-Za-z0-9_.:-]+$"


class ReceiverSpec(FrozenSpec):
    """One place Alertmanager sends alerts to."""

    type: Literal["slack", "webhook", "pagerduty"] = Field(
        description="Kind of receiver: slack (incoming webhook), webhook or pagerduty (Events v2); required."
    )
    secret: str = Field(
        pattern=SECRET_NAME,
        description="Stack config key of a Pulumi secret holding the URL (routing key for pagerduty); required.",
    )
    channel: str | None = Field(
        default=None, max_length=80, description="Slack channel to post to; default: the webhook's own."
    )


class SmokeTestSpec(FrozenSpec):
    """A Job that calls each model once after every deploy."""

    enabled: bool = Field(default=True, description="Run a smoke-test Job per model after deploys; default: true.")
    strict: bool = Field(
        default=False, description="A failing smoke test fails `pulumi up`; default: false (reported only)."
    )
    max_tokens: PositiveInt = Field(
        default=16, le=256, description="Tokens the one test completion asks for; default: 16."
    )


class MonitoringSpec(FrozenSpec):
    """Prometheus storage, Grafana, alert routing and smoke tests."""

    retention_days: PositiveInt = Field(
        default=15, le=MAX_RETENTION_DAYS, description="Days Prometheus keeps samples; default: 15."
    )
    storage_gib: PositiveInt = Field(
        default=50, le=MAX_DISK_GIB, description="Size of Prometheus's persistent volume in GiB; default: 50."
    )
    persistent_storage: bool | None = Field(
        default=None,
        description="Keep Prometheus data on a persistent volume; default: the value of production (required there).",
    )
    storage_class: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
        description=(
            "StorageClass of Prometheus's volume; default: inferstack-gp3 on EKS, standard-rwo on GKE, "
            "else the cluster's default."
        ),
    )
    grafana: bool = Field(
        default=False,
        description="Run Grafana with the shipped dashboards; default: false (dashboards still ship as ConfigMaps).",
    )
    receivers: dict[Key, ReceiverSpec] = Field(
        default_factory=dict, description="Alert receivers keyed by name; default: {} (no Alertmanager)."
    )
    routes: dict[Severity, Key] = Field(
        default_factory=dict,
        description="Severity (critical, warning) -> receiver name; default: every alert to the first receiver.",
    )
    smoke_test: SmokeTestSpec = Field(
        default_factory=SmokeTestSpec, description="Post-deploy smoke test; default: enabled, not strict."
    )
