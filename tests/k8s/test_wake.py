"""Scale to zero that wakes: gcp-dev's chat sleeps at zero behind the KEDA HTTP interceptor, held while it starts.

What a mock cannot show is pinned to sourced facts (catalog k8s_addons.yaml, keda-add-ons-http): the CRD schema of
InterceptorRoute 0.15.0 (tests/crds), the Service names and labels the chart gives the interceptor and its scaler,
the trigger metadata key its scaler reads.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.manifests import plan_manifests
from inferstack.planning.spec_serving import spec_startups, spec_wakes
from inferstack.planning.startup import startup_estimate
from inferstack.planning.wake import wake_timeout_s
from inferstack.validation import load_stack_file
from tests.conftest import shipped_plan, shipped_stacks
from tests.crd_schemas import crd_errors

MODEL = "chat"
NS = "llm-chat"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return shipped_plan("gcp-dev")


@pytest.fixture(scope="module")
def docs(plan: Plan) -> dict[str, dict[str, Any]]:
    return plan_manifests(plan)


def test_the_route_sends_the_wake_hosts_to_the_model_s_own_service(docs: dict[str, dict[str, Any]]) -> None:
    route = docs[f"InterceptorRoute-{NS}-{MODEL}.yaml"]
    service = docs[f"Service-{NS}-{MODEL}.yaml"]
    assert crd_errors(route) == []
    assert route["spec"]["target"] == {
        "service": service["metadata"]["name"],
        "port": service["spec"]["ports"][0]["port"],
    }
    wake = docs[f"Service-{NS}-{MODEL}-wake.yaml"]
    assert wake["spec"] == {
        "type": "ExternalName",
        "externalName": "keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local",
    }
    assert f"{MODEL}-wake.{NS}.svc" in route["spec"]["rules"][0]["hosts"]


def test_the_hold_is_the_planned_start_up_and_covers_the_first_request(docs: dict[str, dict[str, Any]]) -> None:
    spec = load_stack_file(shipped_stacks()["gcp-dev"])
    (wake,) = spec_wakes(spec)
    route = docs[f"InterceptorRoute-{NS}-{MODEL}.yaml"]
    # What `cost` says and what the interceptor is told are the same number.
    assert route["spec"]["timeouts"]["readiness"] == f"{wake.timeout_s}s"
    start = spec_startups(spec)[MODEL]
    assert wake.node_boots and wake.first_request_s == pytest.approx(start.node_boot_s + start.later_pod_s)
    assert wake.timeout_s >= start.cold_s
    # gcp-dev's pool takes its one reserved node first: a reservation is billed whether used or not.
    assert wake.saving_usd_month == 0 and wake.reserved_nodes == 1
    assert "reserved capacity, billed whether used or not" in wake.summary()


def test_sleeping_on_pay_as_you_go_capacity_saves_the_node() -> None:
    spec = load_stack_file(shipped_stacks()["gcp-dev"])
    pool = spec.node_pools["l4"].model_copy(update={"capacity": ("spot", "on_demand"), "reservations": {}})
    spec = spec.model_copy(update={"node_pools": {"l4": pool}})
    (wake,) = spec_wakes(spec)
    assert wake.reserved_nodes == 0
    assert wake.saving_usd_month is not None and wake.saving_usd_month > 0


def test_one_scaled_object_owns_the_deployment_and_listens_to_the_interceptor(docs: dict[str, dict[str, Any]]) -> None:
    scaled = [doc for doc in docs.values() if doc.get("kind") == "ScaledObject"]
    assert [doc["spec"]["scaleTargetRef"]["name"] for doc in scaled] == [f"{MODEL}-engine"]
    (only,) = scaled
    assert only["spec"]["minReplicaCount"] == 0
    (wake,) = [t for t in only["spec"]["triggers"] if t["type"] == "external-push"]
    assert wake["metadata"] == {
        "scalerAddress": "keda-add-ons-http-external-scaler.keda:9090",
        "interceptorRoute": MODEL,
    }
    # The vLLM queue trigger still scales out.
    assert only["spec"]["triggers"][0]["name"] == "queue-depth"
    assert crd_errors(only) == []


def test_the_interceptor_may_reach_the_engine_and_nothing_else_is_opened(docs: dict[str, dict[str, Any]]) -> None:
    policy = docs[f"NetworkPolicy-{NS}-{MODEL}-engine.yaml"]
    rules = policy["spec"]["ingress"]
    (interceptor,) = [r for r in rules if any("podSelector" in f and "namespaceSelector" in f for f in r["from"])]
    assert interceptor["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}},
            "podSelector": {
                "matchLabels": {"app.kubernetes.io/component": "interceptor", "app.kubernetes.io/name": "http-add-on"}
            },
        }
    ]
    assert interceptor["ports"] == [{"protocol": "TCP", "port": 8000}]


def test_the_http_add_on_is_pinned_and_the_route_waits_for_its_crd(plan: Plan) -> None:
    releases = {r.inputs["chart"]: r for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    http = releases["keda-add-ons-http"]
    assert http.inputs["version"] == "0.15.0" and http.inputs["namespace"] == "keda"
    assert releases["keda"].urn in http.options.dependencies
    (route,) = plan.of_type("kubernetes:http.keda.sh/v1beta1:InterceptorRoute")
    assert http.urn in route.options.dependencies


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod", "gcp-prod", "local", "onprem"])
def test_stacks_without_a_sleeping_model_get_no_wake_parts(stack: str) -> None:
    plan = shipped_plan(stack)
    assert not plan.of_type("kubernetes:http.keda.sh/v1beta1:InterceptorRoute")
    assert "keda-add-ons-http" not in {r.inputs["chart"] for r in plan.of_type("kubernetes:helm.sh/v3:Release")}


@given(gb=st.floats(min_value=0.5, max_value=1500), cloud=st.sampled_from(["aws", "gcp"]))
def test_the_hold_always_outlasts_the_planned_cold_start(gb: float, cloud: str) -> None:
    start = startup_estimate(gb, "bucket", cloud)
    assert wake_timeout_s(start) >= start.cold_s
    assert wake_timeout_s(start) % 60 == 0
