"""The inference gateway: routes by model name, client keys and limits, weighted canaries, isolation, CRD schemas."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.k8s.engines import engine
from inferstack.k8s.gateway import edge, pools, routes
from inferstack.k8s.gateway.component import gateway_objects, inference_crds
from inferstack.k8s.gateway.inputs import (
    BEARER,
    CLIENT_HEADER,
    NAMESPACE,
    PROXY_LABELS,
    GatewayInputs,
    ModelPort,
    gateway_inputs,
)
from inferstack.k8s.manifests.inputs import labels
from inferstack.planning.gateway import RouteTarget, gateway_enabled, route_table
from inferstack.planning.names import serving_namespace
from inferstack.planning.served_names import served_names
from inferstack.spec.models import EnvironmentSpec, GatewayTlsSpec
from inferstack.validation import parse_environment
from tests.conftest import shipped_plan, shipped_stacks
from tests.crd_schemas import crd_errors
from tests.goldens import check_golden

Doc = dict[str, Any]
V2_SOURCE = "hf://meta-llama/Llama-3.1-8B-Instruct@1111111111111111111111111111111111111111"


def prod_document() -> Doc:
    text = shipped_stacks()["aws-prod"].read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text)["config"]["inferstack:environment"])


def canary_document() -> Doc:
    """aws-prod with a second revision of `small`, both answering `llama-8b`, split 90/10."""
    doc = prod_document()
    small = doc["models"]["small"]
    small["route"] = {"name": "llama-8b", "weight": 90}
    doc["models"]["small-v2"] = {
        **small,
        "source": V2_SOURCE,
        "replicas": {"min": 1, "max": 1},
        "route": {"name": "llama-8b", "weight": 10},
    }
    small["replicas"] = {"min": 2, "max": 5}  # the pool's six nodes hold both revisions
    return doc


def inputs_of(spec: EnvironmentSpec) -> GatewayInputs:
    ports = tuple(
        ModelPort(key, serving_namespace(key), engine(model.engine).port, labels(key))
        for key, model in sorted(spec.models.items())
    )
    return gateway_inputs(spec, ports, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"})


@pytest.fixture(scope="module")
def prod() -> EnvironmentSpec:
    return parse_environment(prod_document(), "aws-prod")


@pytest.fixture(scope="module")
def canary() -> EnvironmentSpec:
    return parse_environment(canary_document(), "aws-prod")


def test_a_model_answers_to_its_route_name_else_served_name_else_key(prod: EnvironmentSpec) -> None:
    large = prod.models["large"]
    assert served_names("large", large) == ("large",)
    assert served_names("large", large.model_copy(update={"served_name": "qwen-72b"})) == ("qwen-72b",)
    routed = parse_environment(canary_document(), "aws-prod").models["small"]
    assert served_names("small", routed) == ("llama-8b",)


def test_the_gateway_is_on_by_default_only_with_more_than_one_model(prod: EnvironmentSpec) -> None:
    assert gateway_enabled(prod)
    one = prod.model_copy(update={"models": {"large": prod.models["large"]}})
    assert not gateway_enabled(one)
    on = one.model_copy(update={"gateway": one.gateway.model_copy(update={"enabled": True})})
    assert gateway_enabled(on)


def test_each_name_routes_to_its_models_inference_pool(prod: EnvironmentSpec) -> None:
    route = routes.route_object(inputs_of(prod))
    rules = {rule["matches"][0]["headers"][0]["value"]: rule for rule in route["spec"]["rules"]}
    assert set(rules) == {"large", "small"}
    assert rules["small"]["backendRefs"] == [
        {
            "group": "inference.networking.k8s.io",
            "kind": "InferencePool",
            "name": "small-pool",
            "namespace": "llm-small",
        }
    ]
    assert route["spec"]["llmRequestCosts"] == [{"metadataKey": "llm_total_token", "type": "TotalToken"}]
    assert crd_errors(route) == []


def test_two_revisions_sharing_a_name_split_by_weight(canary: EnvironmentSpec) -> None:
    assert route_table(canary)["llama-8b"] == (RouteTarget("small", 90), RouteTarget("small-v2", 10))
    inputs = inputs_of(canary)
    (rule,) = [r for r in routes.route_object(inputs)["spec"]["rules"] if r["name"] == "llama-8b"]
    assert rule["backendRefs"] == [
        {"name": "small-revision", "weight": 90},
        {"name": "small-v2-revision", "weight": 10},
    ]
    backends = {(o["kind"], o["metadata"]["name"]): o for o in routes.split_objects(inputs)}
    assert backends["Backend", "small-v2-revision"]["spec"]["endpoints"] == [
        {"fqdn": {"hostname": "small-v2.llm-small-v2.svc.cluster.local", "port": 80}}
    ]
    assert all(crd_errors(obj) == [] for obj in backends.values())
    # A split is weighted, not picked: neither revision gets its own pool; the other model keeps its picker.
    assert [m.key for m in pools.pooled_models(inputs)] == ["large"]
    # Both engines serve the shared name, so either revision accepts the request the gateway forwards.
    assert served_names("small-v2", canary.models["small-v2"]) == ("llama-8b",)


def test_client_keys_and_limits_render_per_client(prod: EnvironmentSpec) -> None:
    inputs = inputs_of(prod)
    secret = edge.client_keys_shape([c.name for c in inputs.clients])
    assert set(secret["stringData"]) == {"chat-app", "batch"}
    policy = edge.security_policy_object()
    assert policy["spec"]["apiKeyAuth"]["forwardClientIDHeader"] == CLIENT_HEADER
    assert policy["spec"]["apiKeyAuth"]["sanitize"] is True
    limits = edge.rate_limit_object(inputs)
    assert limits is not None and crd_errors(limits) == [] and crd_errors(policy) == []
    rules = limits["spec"]["rateLimit"]["global"]["rules"]
    by_client = {}
    for rule in rules:
        client = rule["clientSelectors"][0]["headers"][0]["value"]
        kind = "tokens" if "cost" in rule else "requests"
        by_client[client, kind] = rule["limit"]
    assert by_client == {
        ("batch", "tokens"): {"requests": 1000000, "unit": "Minute"},
        ("chat-app", "requests"): {"requests": 600, "unit": "Minute"},
        ("chat-app", "tokens"): {"requests": 200000, "unit": "Minute"},
    }
    token_rule = next(rule for rule in rules if "cost" in rule)
    assert token_rule["cost"]["response"]["metadata"] == {"namespace": "io.envoy.ai_gateway", "key": "llm_total_token"}


def test_no_limits_means_no_rate_limit_service(prod: EnvironmentSpec) -> None:
    clients = {
        name: c.model_copy(update={"tokens_per_minute": None, "requests_per_minute": None})
        for name, c in prod.gateway.clients.items()
    }
    spec = prod.model_copy(update={"gateway": prod.gateway.model_copy(update={"clients": clients})})
    inputs = inputs_of(spec)
    assert not inputs.limited and edge.rate_limit_object(inputs) is None
    kinds = {obj["kind"] for obj in gateway_objects(inputs)}
    assert "BackendTrafficPolicy" not in kinds and "Deployment" not in kinds


def test_the_listener_carries_tls_or_stays_in_the_cluster(prod: EnvironmentSpec) -> None:
    inputs = inputs_of(prod)
    proxy = edge.envoy_proxy_object(inputs)["spec"]["provider"]["kubernetes"]["envoyService"]
    assert proxy["type"] == "LoadBalancer"
    assert proxy["annotations"][edge.AWS_SSL_CERT].startswith("arn:aws:acm:")
    assert proxy["annotations"][edge.AWS_SSL_PORTS] == "443"
    assert proxy["annotations"]["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"
    secret_tls = prod.gateway.model_copy(update={"tls": GatewayTlsSpec(secret="gw-tls")})
    listener = edge.listener(inputs_of(prod.model_copy(update={"gateway": secret_tls})))
    assert listener["protocol"] == "HTTPS" and listener["tls"]["certificateRefs"][0]["name"] == "gw-tls"
    cluster = prod.gateway.model_copy(update={"exposure": "cluster", "tls": None})
    only = inputs_of(prod.model_copy(update={"gateway": cluster}))
    assert edge.envoy_proxy_object(only)["spec"]["provider"]["kubernetes"]["envoyService"] == {"type": "ClusterIP"}
    assert edge.listener(only)["protocol"] == "HTTP"


def test_each_pool_has_a_picker_scoring_queue_kv_cache_and_prefix(prod: EnvironmentSpec) -> None:
    objects = {(o["kind"], o["metadata"]["name"]): o for o in pools.pool_objects(inputs_of(prod).model("small"))}
    pool = objects["InferencePool", "small-pool"]
    assert pool["spec"]["selector"]["matchLabels"] == labels("small")
    assert pool["spec"]["endpointPickerRef"]["name"] == "small-pool"
    config = yaml.safe_load(objects["ConfigMap", "small-pool"]["data"][pools.CONFIG_FILE])
    assert [p["type"] for p in config["plugins"]] == list(pools.SCORERS)
    role = objects["Role", "small-pool"]
    assert {verb for rule in role["rules"] for verb in rule["verbs"]} == {"get", "list", "watch"}
    assert all(crd_errors(o) == [] for (kind, _), o in objects.items() if kind in {"InferencePool", "ReferenceGrant"})
    grant = objects["ReferenceGrant", "llm-gateway-routes"]
    assert {f["namespace"] for f in grant["spec"]["from"]} == {NAMESPACE}


def test_the_vendored_inference_crds_define_what_the_pools_use() -> None:
    crds = {crd["spec"]["names"]["kind"]: crd for crd in inference_crds()}
    assert set(crds) == {"InferencePool", "InferenceObjective"}
    assert [v["name"] for v in crds["InferencePool"]["spec"]["versions"]] == ["v1"]


def _engine_policy(plan_docs: dict[str, Any], key: str) -> dict[str, Any]:
    return plan_docs[f"NetworkPolicy-llm-{key}-{key}-engine.yaml"]


def test_behind_a_gateway_only_its_proxies_reach_the_engines_from_outside() -> None:
    from inferstack.infra.review.manifests import plan_manifests

    docs = plan_manifests(shipped_plan("aws-prod"))
    for key in ("large", "small"):
        peers = _engine_policy(docs, key)["spec"]["ingress"][0]["from"]
        assert peers == [
            {"podSelector": {}},
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}},
                "podSelector": {"matchLabels": PROXY_LABELS},
            },
        ]
    # Without a gateway, labelled client namespaces still reach the engine (aws-dev serves one model).
    dev = plan_manifests(shipped_plan("aws-dev"))
    assert {"namespaceSelector": {"matchLabels": {"inferstack.dev/llm-client": "true"}}} in _engine_policy(dev, "chat")[
        "spec"
    ]["ingress"][0]["from"]


def test_the_gateway_objects_of_aws_prod_match_the_golden() -> None:
    from inferstack.infra.review.manifests import plan_manifests, to_yaml

    gateway_kinds = {
        "GatewayClass", "Gateway", "EnvoyProxy", "SecurityPolicy", "BackendTrafficPolicy", "AIGatewayRoute",
        "InferencePool", "ReferenceGrant", "Backend", "AIServiceBackend", "Role", "RoleBinding",
    }  # fmt: skip
    docs = plan_manifests(shipped_plan("aws-prod"))
    picked = {
        name: doc
        for name, doc in docs.items()
        if doc.get("kind") in gateway_kinds
        or doc.get("metadata", {}).get("namespace") == NAMESPACE
        or doc.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/name") == "llm-endpoint-picker"
        or name.startswith("PodMonitor-envoy-gateway-system")
    }
    assert any(doc["kind"] == "Secret" for doc in picked.values())
    text = "".join(f"# {name}\n---\n{to_yaml(doc)}" for name, doc in sorted(picked.items()))
    check_golden("gateway_aws_prod.yaml", text, "tests/k8s/test_gateway.py")


def test_bearer_prefix_is_part_of_the_stored_credential() -> None:
    # Envoy Gateway compares the whole Authorization value (it strips no scheme): the Secret stores "Bearer <key>".
    assert BEARER == "Bearer "


def test_gateway_objects_wait_for_the_releases_and_crds_they_need() -> None:
    plan = shipped_plan("aws-prod")
    releases = {r.inputs["name"]: r.urn for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    assert {"envoy-gateway", "ai-gateway-crds", "ai-gateway"} <= set(releases)
    # The Envoy charts are OCI artifacts: pulled by reference at the pinned version, no repository index.
    (eg,) = [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["name"] == "envoy-gateway"]
    assert eg.inputs["chart"].startswith("oci://") and eg.inputs["version"] == "v1.8.3"
    assert "repositoryOpts" not in eg.inputs or not eg.inputs["repositoryOpts"]
    (route,) = plan.of_type("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute")
    assert releases["ai-gateway-crds"] in route.options.dependencies
    (gateway,) = plan.of_type("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    assert releases["envoy-gateway"] in gateway.options.dependencies
    crds = {r.urn for r in plan.of_type("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")}
    for pool in plan.of_type("kubernetes:inference.networking.k8s.io/v1:InferencePool"):
        assert crds <= set(pool.options.dependencies)
