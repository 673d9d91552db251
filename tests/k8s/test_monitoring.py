"""Dashboards, alert rules, Alertmanager routes, Prometheus storage and the smoke test, as data and in the plans."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from inferstack.catalog.dashboards import DASHBOARDS, dashboard
from inferstack.catalog.metrics import histogram_buckets, metric_catalog, queried_metrics
from inferstack.infra.cli.app import app
from inferstack.infra.offline.plan import SECRET
from inferstack.infra.review.manifests import plan_manifests, to_yaml
from inferstack.k8s.manifests import inference_objects
from inferstack.k8s.manifests.alerts import model_rule_object
from inferstack.k8s.manifests.inputs import ServiceInputs
from inferstack.k8s.manifests.slo import TPOT_METRIC, TTFT_METRIC, bucket_bound, le_label
from inferstack.k8s.manifests.smoke import smoke_job
from inferstack.k8s.monitoring.dashboards import dashboard_queries
from inferstack.k8s.monitoring.plan import MonitoringPlan
from inferstack.k8s.monitoring.receivers import alertmanager_config
from inferstack.k8s.monitoring.rules import cluster_rule_object
from inferstack.spec.monitoring_parts import ReceiverSpec, SmokeTestSpec
from tests.conftest import shipped_plan, shipped_stacks
from tests.crd_schemas import crd_errors, crd_files
from tests.goldens import check_golden
from tests.infra.cli.test_startup import SDKS, loaded_modules
from tests.k8s.support import chat_model, l4_pool

STACKS = sorted(shipped_stacks())
PROD = ["aws-prod", "gcp-prod"]


def inputs(**changes: object) -> ServiceInputs:
    """The chat model on an L4 pool with latency objectives, as the rules see it."""
    fields: dict[str, object] = {
        "load": {"requests_per_second": 2, "ttft_ms": 300, "tpot_ms": 50},
        "replicas": {"min": 1, "max": 3},
        **changes,
    }
    model = chat_model(**fields)
    return ServiceInputs("chat", model, l4_pool(), "s3://dev-models", "http://kps", smoke=SmokeTestSpec())


def rule_exprs(rule_object: dict[str, Any]) -> list[str]:
    return [rule["expr"] for group in rule_object["spec"]["groups"] for rule in group["rules"]]


def plan_docs(stack: str) -> dict[str, dict[str, Any]]:
    return {p: d for p, d in plan_manifests(shipped_plan(stack)).items() if not p.startswith("helm/")}


def kps_values(stack: str) -> dict[str, Any]:
    return plan_manifests(shipped_plan(stack))["helm/monitoring-kube-prometheus-stack.yaml"]["values"]


def test_the_vendored_metric_list_names_its_source_and_version() -> None:
    for name, exporter in metric_catalog().exporters.items():
        assert exporter.version and len(exporter.source) > 20 and exporter.metrics, name
    # The renamed KV-cache gauge is the one the pinned vLLM exports; its deprecated name is not listed.
    assert "vllm:kv_cache_usage_perc" in metric_catalog().series()
    assert "vllm:gpu_cache_usage_perc" not in metric_catalog().series()


def test_queried_metrics_reads_names_not_labels_or_functions() -> None:
    expr = 'histogram_quantile(0.9, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{pod=~"vllm:x"}[5m])))'
    assert queried_metrics(expr) == {"vllm:time_to_first_token_seconds_bucket"}


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboards_are_valid_grafana_json_on_known_metrics(name: str) -> None:
    board = dashboard(name)
    assert board["uid"] == f"inferstack-{name}" and board["title"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert board["templating"]["list"][0] == {**board["templating"]["list"][0], "type": "datasource"}
    for panel in board["panels"]:
        assert panel["targets"] and panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"} and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
    known = metric_catalog().series()
    for expr in dashboard_queries(board):
        used = queried_metrics(expr)
        assert used and used <= known, f"{expr}: {used - known}"


def test_the_vllm_dashboard_covers_the_serving_signals() -> None:
    used = set().union(*(queried_metrics(e) for e in dashboard_queries(dashboard("vllm"))))
    for metric in (
        "request_success_total",
        "time_to_first_token_seconds_bucket",
        "num_requests_waiting",
        "kv_cache_usage_perc",
        "num_preemptions_total",
        "generation_tokens_total",
    ):
        assert f"vllm:{metric}" in used


@pytest.mark.parametrize("stack", STACKS)
def test_every_alert_and_scaler_queries_known_metrics(stack: str) -> None:
    known = metric_catalog().series()
    for path, doc in plan_docs(stack).items():
        if doc["kind"] == "PrometheusRule":
            exprs = rule_exprs(doc)
        elif doc["kind"] == "ScaledObject":
            # The wake trigger (external-push) reads the HTTP add-on's scaler, not Prometheus.
            triggers = doc["spec"]["triggers"]
            exprs = [trigger["metadata"]["query"] for trigger in triggers if trigger["type"] == "prometheus"]
        else:
            continue
        for expr in exprs:
            used = queried_metrics(expr)
            assert used and used <= known, f"{path}: {expr}: {used - known}"


def test_rules_from_the_objectives_match_golden() -> None:
    rule = model_rule_object(inputs())
    check_golden("prometheus_rule_chat.yaml", to_yaml(rule), "tests/k8s/test_monitoring.py")
    assert crd_errors(rule) == []


def test_objectives_become_burn_rate_alerts_at_a_bucket_bound() -> None:
    exprs = rule_exprs(model_rule_object(inputs()))
    ttft = [e for e in exprs if TTFT_METRIC in e]
    tpot = [e for e in exprs if TPOT_METRIC in e]
    assert len(ttft) == len(tpot) == 2  # a page and a ticket per objective
    assert all('le="0.25"' in e for e in ttft) and all('le="0.05"' in e for e in tpot)
    no_load = rule_exprs(model_rule_object(inputs(load=None)))
    assert not any(TTFT_METRIC in e or TPOT_METRIC in e for e in no_load)


@pytest.mark.parametrize("objective_s", [0.0005, 0.001, 0.3, 0.5, 0.99, 3000.0])
@pytest.mark.parametrize("metric", [TTFT_METRIC, TPOT_METRIC])
def test_the_bucket_bound_is_the_largest_not_above_the_objective(metric: str, objective_s: float) -> None:
    bounds = histogram_buckets(metric)
    bound = bucket_bound(metric, objective_s)
    assert bound in bounds
    assert bound <= objective_s or bound == min(bounds)
    assert not [b for b in bounds if bound < b <= objective_s]
    assert le_label(1) == "1.0" and le_label(0.25) == "0.25"  # prometheus_client's formatting of `le`


def test_a_misspelled_rule_field_fails_the_crd_schema() -> None:
    rule = copy.deepcopy(model_rule_object(inputs()))
    rule["spec"]["groups"][0]["rules"][0]["fro"] = rule["spec"]["groups"][0]["rules"][0].pop("for")
    assert any("fro" in error for error in crd_errors(rule))
    assert crd_errors({**rule, "kind": "Nope"})  # a kind without a vendored schema is an error too


def test_every_vendored_crd_names_its_source() -> None:
    gateway = {"GatewayClass", "Gateway", "ReferenceGrant", "EnvoyProxy", "SecurityPolicy", "BackendTrafficPolicy"}
    gateway |= {"Backend", "AIGatewayRoute", "AIServiceBackend", "InferencePool"}
    assert {kind for _, kind in crd_files()} == {
        "PrometheusRule",
        "PodMonitor",
        "ScaledObject",
        "InterceptorRoute",
        "ComputeClass",
        "NodePool",
        "EC2NodeClass",
    } | gateway
    # The pinned releases: the Prometheus Operator, KEDA, KEDA's HTTP add-on, Envoy Gateway, AI Gateway, the Inference
    # Extension; GKE's ComputeClass (served by GKE, no CRD file) from its reference; Karpenter's v1 CRDs.
    pins = ("v0.89.0", "2.18.1", "envoyproxy/gateway v1.8.3", "envoyproxy/ai-gateway v1.1.0", "extension v1.0.2")
    pins += ("keda-add-ons-http 0.15.0", "kubernetes-engine/docs/reference/crds/computeclass", "Karpenter 1.14.1")
    for data in crd_files().values():
        assert any(pin in data["source"] for pin in pins), data["source"]
        assert data["as_of"]


def test_cluster_rules_watch_gpus_and_staging_only_where_they_exist() -> None:
    both = json.dumps(cluster_rule_object(gpus=True, staging=True))
    assert (
        "DCGM_FI_DEV_XID_ERRORS == 79" in both and "DCGM_FI_DEV_ROW_REMAP_FAILURE" in both and "kube_job_failed" in both
    )
    assert "DCGM" not in json.dumps(cluster_rule_object(gpus=False, staging=True))
    assert cluster_rule_object(gpus=False, staging=False) is None


def test_alertmanager_routes_by_severity_and_reads_urls_from_files() -> None:
    plan = MonitoringPlan(
        receivers={
            "oncall": ReceiverSpec(type="pagerduty", secret="pd"),
            "chat": ReceiverSpec(type="slack", secret="s"),
        },
        routes={"critical": "oncall"},
    )
    config = alertmanager_config(plan)
    routes = {r["matchers"][0]: r["receiver"] for r in config["route"]["routes"]}
    # Warning has no route: it goes to the first receiver by name.
    assert routes['severity="critical"'] == "oncall" and routes['severity="warning"'] == "chat"
    text = json.dumps(config)
    assert "/etc/alertmanager/secrets/alert-receivers/oncall" in text and "http" not in text


@pytest.mark.parametrize("stack", PROD)
def test_production_prometheus_keeps_its_data(stack: str) -> None:
    spec = kps_values(stack)["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "30d" and spec["retentionSize"] == "170GB"
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "200Gi"
    assert kps_values(stack)["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"


def test_dev_prometheus_is_ephemeral_and_quiet() -> None:
    values = kps_values("aws-dev")
    assert "storageSpec" not in values["prometheus"]["prometheusSpec"]
    assert values["alertmanager"] == {"enabled": False} and values["grafana"] == {"enabled": False}


@pytest.mark.parametrize("stack", PROD)
def test_production_renders_dashboards_rules_and_smoke_tests(stack: str) -> None:
    docs = plan_docs(stack)
    kinds = [doc["kind"] for doc in docs.values()]
    dashboards = [
        d for d in docs.values() if d["kind"] == "ConfigMap" and "grafana_dashboard" in d["metadata"]["labels"]
    ]
    # The GPU dashboard ships where the in-cluster Prometheus has DCGM's metrics (not on GKE: tests/gcp); the other
    # ConfigMaps are the gateway's endpoint-picker configs, one per model behind it.
    pickers = [d for d in docs.values() if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-pool")]
    assert len(dashboards) == (2 if stack.startswith("aws") else 1) and "PrometheusRule" in kinds
    assert kinds.count("ConfigMap") == len(dashboards) + len(pickers)
    assert all(d["metadata"]["labels"]["grafana_dashboard"] == "1" for d in dashboards)
    smoke = [d for d in docs.values() if d["kind"] == "Job" and "-smoke-" in d["metadata"]["name"]]
    assert smoke and all("pulumi.com/skipAwait" not in d["metadata"].get("annotations", {}) for d in smoke)
    # The receivers' URLs are Pulumi secrets: masked in the Plan, and named nowhere in the Helm values.
    receivers = docs["Secret-monitoring-alert-receivers.yaml"]
    assert receivers["stringData"] == {"chat": SECRET, "oncall": SECRET}


def test_the_smoke_job_waits_for_the_deployment_and_is_an_output() -> None:
    plan = shipped_plan("aws-prod")
    deployments = {r.urn for r in plan.of_type("kubernetes:apps/v1:Deployment")}
    smoke = [r for r in plan.of_type("kubernetes:batch/v1:Job") if "-smoke-" in r.name]
    assert smoke and all(set(r.options.dependencies) & deployments for r in smoke)
    outputs = plan.outputs["smoke_tests"]
    assert set(outputs) == {"large", "small"} and outputs["small"]["strict"] is True
    assert "terminated.message" in outputs["small"]["result"]


def test_a_non_strict_smoke_test_skips_the_await_and_sends_the_api_key_from_the_secret() -> None:
    job = smoke_job(inputs(), SmokeTestSpec())
    assert job["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert {"name": "api-key", "mountPath": "/var/run/secrets/inferstack/api", "readOnly": True} in container[
        "volumeMounts"
    ]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "api-key"]
    assert volume["secret"]["secretName"] == "chat-credentials"
    assert "Authorization: Bearer" in container["command"][2] and "chatApiKey" not in json.dumps(job)
    assert not any("secret" in json.dumps(var).lower() for var in container["env"])
    strict = smoke_job(inputs(), SmokeTestSpec(strict=True))
    assert "pulumi.com/skipAwait" not in strict["metadata"]["annotations"]


def test_a_changed_model_gets_a_new_smoke_job() -> None:
    first = smoke_job(inputs(), SmokeTestSpec())["metadata"]["name"]
    again = smoke_job(inputs(), SmokeTestSpec())["metadata"]["name"]
    changed = smoke_job(inputs(max_model_len=4096), SmokeTestSpec())["metadata"]["name"]
    assert first == again != changed and first.startswith("chat-smoke-")


def test_the_dashboards_command_writes_the_shipped_json(tmp_path: Path) -> None:
    out = tmp_path / "dashboards"
    result = CliRunner().invoke(app, ["dashboards", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "inferstack-vllm.json").read_text()) == dashboard("vllm")
    assert json.loads((out / "inferstack-gpu.json").read_text())["uid"] == "inferstack-gpu"
    # Dashboards are data: writing them loads no provider SDK.
    assert not loaded_modules("dashboards", "--out", str(tmp_path / "again")) & set(SDKS)
    (tmp_path / "file").write_text("x")
    refused = CliRunner().invoke(app, ["dashboards", "--out", str(tmp_path / "file")])
    assert refused.exit_code == 2 and "Traceback" not in refused.output


def test_a_scale_to_zero_model_gets_no_smoke_test() -> None:
    kinds = [obj["kind"] for obj in inference_objects(inputs(replicas={"min": 0, "max": 3}))]
    assert "Job" not in kinds and kinds.count("NetworkPolicy") == 2
    assert "Job" in [obj["kind"] for obj in inference_objects(inputs())]
