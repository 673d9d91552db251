"""Monitoring mistakes: a route to an undeclared receiver, ephemeral metrics in production, a receiver URL in plain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.spec import SpecError
from inferstack.spec.secret_keys import secret_config_keys
from inferstack.validation import load_stack_file, parse_environment
from tests.conftest import shipped_stacks

PLAIN_WEBHOOK = "not-a-real-webhook-but-plaintext"


def stack_data(name: str) -> dict[str, Any]:
    return yaml.safe_load(shipped_stacks()[name].read_text(encoding="utf-8"))


def issues_of(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SpecError) as raised:
        parse_environment(document, "prod")
    return {issue.path: str(issue) for issue in raised.value.issues}


def prod_document(**monitoring: object) -> dict[str, Any]:
    document = stack_data("aws-prod")["config"]["inferstack:environment"]
    document["monitoring"] = {**document["monitoring"], **monitoring}
    return document


def test_a_route_to_an_undeclared_receiver_names_the_declared_ones() -> None:
    issues = issues_of(prod_document(routes={"critical": "pager"}))
    message = issues["environment.monitoring.routes.critical"]
    assert "'pager'" in message and "chat, oncall" in message and "monitoring.receivers.pager" in message


def test_production_cannot_turn_persistent_metrics_off() -> None:
    issues = issues_of(prod_document(persistent_storage=False))
    assert "remove persistent_storage: false" in issues["environment.monitoring.persistent_storage"]


def test_a_dev_stack_may_keep_metrics_in_the_pod() -> None:
    document = stack_data("aws-dev")["config"]["inferstack:environment"]
    document["monitoring"] = {"persistent_storage": False}
    assert parse_environment(document, "dev").monitoring.persistent_storage is False


def test_receiver_secrets_are_secret_config_keys() -> None:
    spec = load_stack_file(shipped_stacks()["aws-prod"])
    assert {"inferstack:pagerdutyRoutingKey", "inferstack:slackAlertsWebhook"} <= set(secret_config_keys(spec))


def test_a_plaintext_receiver_url_in_the_stack_file_is_refused_unquoted(tmp_path: Path) -> None:
    data = stack_data("aws-prod")
    data["config"]["inferstack:slackAlertsWebhook"] = PLAIN_WEBHOOK
    path = tmp_path / "Pulumi.aws-prod.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_stack_file(path)
    (issue,) = raised.value.issues
    assert "environment.monitoring.receivers.chat.secret names it as a secret" in str(issue)
    assert PLAIN_WEBHOOK not in str(raised.value)


def test_the_cli_exits_2_on_a_monitoring_mistake(tmp_path: Path) -> None:
    data = stack_data("aws-prod")
    data["config"]["inferstack:environment"]["monitoring"]["routes"] = {"warning": "nobody"}
    path = tmp_path / "Pulumi.aws-prod.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == EXIT_INVALID, result.output
    assert "monitoring.routes.warning" in result.output and "Traceback" not in result.output


def test_a_webhook_url_pasted_as_the_receiver_secret_is_refused_unquoted() -> None:
    token = "T0000000/B0000000/" + "x" * 24
    issues = issues_of(
        prod_document(receivers={"chat": {"type": "slack", "secret": f"https://hooks.slack.com/services/{token}"}})
    )
    message = issues["environment.monitoring.receivers.chat.secret"]
    assert "Slack webhook URL" in message and "x" * 24 not in message
    assert "Pulumi secret" in message
