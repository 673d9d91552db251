"""A sleeping model behind the gateway wakes: its name routes to the KEDA interceptor, which matches the model header.

aws-prod's `small` is put to sleep (min 0); the plan must then send its name through the interceptor instead of an
InferencePool (whose picker answers 503 with no pod), and the model's InterceptorRoute must match the header the
gateway route selects on, for every name the model alone serves.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.infra.offline.plan import Plan
from inferstack.infra.offline.stacks import load_stack, plan_spec
from inferstack.infra.review.manifests import plan_manifests
from inferstack.planning.gateway import MODEL_HEADER, wake_routes
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks
from tests.crd_schemas import crd_errors
from tests.inventory_check import SHIPPED
from tests.validation.test_capacity import warnings

Doc = dict[str, Any]
INTERCEPTOR = "keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local"


def sleeping_prod() -> Doc:
    text = shipped_stacks()["aws-prod"].read_text(encoding="utf-8")
    doc = copy.deepcopy(yaml.safe_load(text)["config"]["inferstack:environment"])
    doc["models"]["small"]["replicas"].update(min=0, on_demand_base=0)
    return doc


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    loaded = load_stack("aws-prod", SHIPPED)
    spec = parse_environment(sleeping_prod(), "aws-prod")
    plan: Plan = plan_spec(loaded.name, spec, loaded.provider_config)
    return plan_manifests(plan)


def _rule(docs: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    route = docs["AIGatewayRoute-llm-gateway-models.yaml"]
    (rule,) = [r for r in route["spec"]["rules"] if r["name"] == name]
    return rule


def test_the_sleeping_model_s_name_routes_to_the_interceptor(docs: dict[str, dict[str, Any]]) -> None:
    rule = _rule(docs, "small")
    assert rule["backendRefs"] == [{"name": "small-wake"}]
    assert rule["matches"] == [{"headers": [{"type": "Exact", "name": MODEL_HEADER, "value": "small"}]}]
    backend = docs["Backend-llm-gateway-small-wake.yaml"]
    assert backend["spec"]["endpoints"] == [{"fqdn": {"hostname": INTERCEPTOR, "port": 8080}}]
    service_backend = docs["AIServiceBackend-llm-gateway-small-wake.yaml"]
    assert service_backend["spec"]["backendRef"]["name"] == "small-wake"
    assert crd_errors(backend) == [] and crd_errors(service_backend) == []
    # The serving model keeps its endpoint picker; the sleeping one gets none (nothing would route to it).
    assert _rule(docs, "large")["backendRefs"][0]["kind"] == "InferencePool"
    assert "InferencePool-llm-large-large-pool.yaml" in docs
    assert not [name for name in docs if name.startswith("InferencePool-llm-small")]


def test_the_interceptor_route_matches_the_header_the_gateway_routes_on(docs: dict[str, dict[str, Any]]) -> None:
    route = docs["InterceptorRoute-llm-small-small.yaml"]
    assert crd_errors(route) == []
    rules = route["spec"]["rules"]
    # The wake hosts for in-cluster clients, then one rule per gateway name with no hosts: the add-on's catch-all.
    assert "small-wake.llm-small.svc" in rules[0]["hosts"]
    assert rules[1:] == [{"headers": [{"name": MODEL_HEADER, "value": "small"}]}]
    assert _rule(docs, "small")["matches"][0]["headers"][0]["name"] == rules[1]["headers"][0]["name"]


def test_a_sleeping_model_behind_the_gateway_no_longer_warns() -> None:
    assert not [w for w in warnings(sleeping_prod()) if "inference gateway" in w]
    spec = parse_environment(sleeping_prod(), "aws-prod")
    assert wake_routes(spec) == {"small": ("small",)}
    # Without a gateway there is nothing to route through the interceptor.
    doc = sleeping_prod()
    doc["gateway"] = {"enabled": False}
    assert wake_routes(parse_environment(doc, "aws-prod")) == {}


def test_a_sleeping_revision_in_a_weighted_split_still_warns() -> None:
    doc = sleeping_prod()
    small = doc["models"]["small"]
    small["route"] = {"name": "llama-8b", "weight": 90}
    small["replicas"]["max"] = 5  # the pool's six nodes hold both revisions
    doc["models"]["small-v2"] = {**copy.deepcopy(small), "replicas": {"min": 1, "max": 1}}
    doc["models"]["small-v2"]["route"] = {"name": "llama-8b", "weight": 10}
    (found,) = [w for w in warnings(doc) if "inference gateway" in w]
    assert found.startswith("environment.models.small.replicas.min: the inference gateway splits llama-8b")
    assert wake_routes(parse_environment(doc, "aws-prod")) == {}
