"""The endpoint pickers are scraped: Prometheus presents a token the picker can review and that may GET /metrics."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.infra.review.manifests import plan_manifests
from inferstack.k8s.gateway.pools import METRICS_PORT
from inferstack.k8s.manifests.guards import MONITORING_NAMESPACE
from tests.conftest import shipped_plan
from tests.crd_schemas import crd_errors

Docs = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def docs() -> Docs:
    return plan_manifests(shipped_plan("aws-prod"))


@pytest.mark.parametrize("key", ["large", "small"])
def test_each_picker_is_scraped_with_a_reader_token(docs: Docs, key: str) -> None:
    ns, pool = f"llm-{key}", f"{key}-pool"
    monitor = docs[f"PodMonitor-{ns}-{pool}.yaml"]
    assert crd_errors(monitor) == []
    picker = docs[f"Deployment-{ns}-{pool}.yaml"]["spec"]["template"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= picker["metadata"]["labels"].items()
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    (container,) = picker["spec"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports[endpoint["port"]] == METRICS_PORT and endpoint["path"] == "/metrics"
    # The token comes from a service-account-token Secret of the reader account: Kubernetes fills it in.
    credentials = endpoint["authorization"]["credentials"]
    secret = docs[f"Secret-{ns}-{credentials['name']}.yaml"]
    assert secret["type"] == "kubernetes.io/service-account-token"
    reader = secret["metadata"]["annotations"]["kubernetes.io/service-account.name"]
    assert f"ServiceAccount-{ns}-{reader}.yaml" in docs and "data" not in secret and "stringData" not in secret


@pytest.mark.parametrize("key", ["large", "small"])
def test_the_reader_may_only_get_metrics_and_the_picker_may_review_it(docs: Docs, key: str) -> None:
    ns, pool = f"llm-{key}", f"{key}-pool"
    bindings = [
        d for d in docs.values() if d.get("kind") == "ClusterRoleBinding" and d["subjects"][0]["namespace"] == ns
    ]
    roles = {d["metadata"]["name"]: d for d in docs.values() if d.get("kind") == "ClusterRole"}
    granted = {b["subjects"][0]["name"]: roles[b["roleRef"]["name"]]["rules"] for b in bindings}
    assert granted[f"{pool}-metrics-reader"] == [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]
    reviews = {rule["resources"][0] for rule in granted[pool]}
    assert reviews == {"tokenreviews", "subjectaccessreviews"}
    assert all(rule["verbs"] == ["create"] for rule in granted[pool])
    # The scrape reaches the picker: its policy admits the monitoring namespace on the metrics port.
    policy = docs[f"NetworkPolicy-{ns}-{key}-endpoint-picker.yaml"]["spec"]
    scraper = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
    assert {"from": [scraper], "ports": [{"protocol": "TCP", "port": METRICS_PORT}]} in policy["ingress"]
