"""Per model behind the gateway: its InferencePool and the endpoint picker (EPP) that chooses its replica.

The picker scrapes each engine pod's metrics and scores replicas with three plugins: queue-scorer (waiting
requests), kv-cache-utilization-scorer (KV-cache use) and prefix-cache-scorer (which replica likely holds the
prompt's prefix in its cache), the Inference Extension's default profile (config/charts/inferencepool
templates/epp-config.yaml, v1.0.2). It watches the model's pods and InferencePool through the API server, so it
is the one pod of the workload with a mounted token, bound to a Role that only reads those, in its namespace.
"""

from __future__ import annotations

from typing import Any

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.k8s import pods
from inferstack.k8s.gateway.inputs import NAMESPACE, GatewayInputs, ModelPort, proxy_peer
from inferstack.k8s.gateway.picker_metrics import picker_metrics_objects
from inferstack.k8s.gateway.routes import POOL_GROUP, is_split, pool_name
from inferstack.k8s.manifests.guards import MONITORING_NAMESPACE

# The picker's ports (templates/epp-deployment.yaml, v1.0.2): ext_proc gRPC, gRPC health, Prometheus metrics.
EXT_PROC_PORT = 9002
HEALTH_PORT = 9003
METRICS_PORT = 9090
# The image is distroless and runs as its nonroot user.
EPP_USER = 65532
CONFIG_FILE = "plugins.yaml"
SCORERS = ("queue-scorer", "kv-cache-utilization-scorer", "prefix-cache-scorer")
EPP_RESOURCES = {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}


def picker_labels(key: str) -> dict[str, str]:
    """The labels of one model's endpoint-picker pods."""
    return {"app.kubernetes.io/name": "llm-endpoint-picker", "app.kubernetes.io/instance": key}


def pooled_models(inputs: GatewayInputs) -> list[ModelPort]:
    """The models reached through their own InferencePool (not those in a weighted split)."""
    keys = [targets[0].key for targets in inputs.routes.values() if not is_split(targets)]
    # A waking model is reached through the interceptor, which holds requests while it starts; no picker.
    keys = [key for key in keys if key not in inputs.waking]
    return [inputs.model(key) for key in sorted(set(keys))]


def plugins_config() -> str:
    """The picker's scheduling profile: every scorer, equally weighted."""
    plugins = "".join(f"- type: {name}\n" for name in SCORERS)
    refs = "".join(f"  - pluginRef: {name}\n" for name in SCORERS)
    return (
        "apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n"
        f"{plugins}schedulingProfiles:\n- name: default\n  plugins:\n{refs}"
    )


def _security_context(pod: bool) -> dict[str, Any]:
    base = pods.pod_security_context() if pod else pods.container_security_context()
    ids = {"runAsUser": EPP_USER, "runAsGroup": EPP_USER} | ({"fsGroup": EPP_USER} if pod else {})
    return base | ids


def _deployment(model: ModelPort) -> dict[str, Any]:
    name, labels = pool_name(model.key), picker_labels(model.key)
    probe = {"grpc": {"port": HEALTH_PORT, "service": "inference-extension"}}
    container = {
        "name": "epp",
        "image": k8s_addons().images["epp"].ref,
        "args": [
            *("--pool-name", name, "--pool-namespace", model.namespace),
            *("--zap-encoder", "json", "--config-file", f"/config/{CONFIG_FILE}"),
        ],
        "ports": [
            {"name": "grpc", "containerPort": EXT_PROC_PORT},
            {"name": "grpc-health", "containerPort": HEALTH_PORT},
            {"name": "metrics", "containerPort": METRICS_PORT},
        ],
        "env": [{"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
        "livenessProbe": probe | {"initialDelaySeconds": 5, "periodSeconds": 10},
        "readinessProbe": probe | {"periodSeconds": 2},
        "startupProbe": probe | {"periodSeconds": 2, "failureThreshold": 60},
        "resources": EPP_RESOURCES,
        "securityContext": _security_context(pod=False),
        "volumeMounts": [
            {"name": "config", "mountPath": "/config", "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": pods.metadata(name, model.namespace, labels),
        "spec": {
            "replicas": 1,
            # One picker per pool: two would need leader election (--ha-enable-leader-election) and a Lease Role.
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": name,
                    # The picker lists the pool's pods through the API (Role below); no other pod mounts a token.
                    "automountServiceAccountToken": True,
                    "securityContext": _security_context(pod=True),
                    "containers": [container],
                    "volumes": [
                        {"name": "config", "configMap": {"name": name}},
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
                },
            },
        },
    }


def _rbac(model: ModelPort) -> list[dict[str, Any]]:
    name, labels, ns = pool_name(model.key), picker_labels(model.key), model.namespace
    read = ["get", "list", "watch"]
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": pods.metadata(name, ns, labels),
        "rules": [
            {"apiGroups": [""], "resources": ["pods"], "verbs": read},
            {"apiGroups": [POOL_GROUP], "resources": ["inferencepools"], "verbs": read},
            {"apiGroups": ["inference.networking.x-k8s.io"], "resources": ["inferenceobjectives"], "verbs": read},
        ],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": pods.metadata(name, ns, labels),
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
    }
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": pods.metadata(name, ns, labels)}
    return [account, role, binding]


def _network_policy(model: ModelPort) -> dict[str, Any]:
    labels = picker_labels(model.key)
    proxies = proxy_peer()
    scraper = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
    engines = {"podSelector": {"matchLabels": dict(model.labels)}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata(f"{model.key}-endpoint-picker", model.namespace, labels),
        "spec": {
            "podSelector": {"matchLabels": labels},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"from": [proxies], "ports": [{"protocol": "TCP", "port": EXT_PROC_PORT}]},
                {"from": [scraper], "ports": [{"protocol": "TCP", "port": METRICS_PORT}]},
            ],
            # DNS, the API server (HTTPS) and the engines' metrics.
            "egress": [
                pods.dns_egress(),
                pods.https_egress(),
                {"to": [engines], "ports": [{"protocol": "TCP", "port": model.port}]},
            ],
        },
    }


def pool_objects(model: ModelPort) -> list[dict[str, Any]]:
    """One model's InferencePool, its picker (account, Role, config, Deployment, Service, policy), grant and scrape."""
    name, labels, ns = pool_name(model.key), picker_labels(model.key), model.namespace
    pool = {
        "apiVersion": f"{POOL_GROUP}/v1",
        "kind": "InferencePool",
        "metadata": pods.metadata(name, ns, labels),
        "spec": {
            "targetPorts": [{"number": model.port}],
            "selector": {"matchLabels": dict(model.labels)},
            "endpointPickerRef": {"name": name, "port": {"number": EXT_PROC_PORT}, "failureMode": "FailClose"},
        },
    }
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": pods.metadata(name, ns, labels),
        "data": {CONFIG_FILE: plugins_config()},
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(name, ns, labels),
        "spec": {
            "type": "ClusterIP",
            "selector": labels,
            "ports": [
                {"name": "grpc-ext-proc", "port": EXT_PROC_PORT, "targetPort": EXT_PROC_PORT, "protocol": "TCP"},
                {"name": "http-metrics", "port": METRICS_PORT, "targetPort": METRICS_PORT, "protocol": "TCP"},
            ],
        },
    }
    # The gateway's route lives in the gateway namespace; this lets it (and the HTTPRoute AI Gateway derives
    # from it) name the pool across namespaces.
    grant = {
        "apiVersion": "gateway.networking.k8s.io/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": pods.metadata("llm-gateway-routes", ns, labels),
        "spec": {
            "from": [
                {"group": "aigateway.envoyproxy.io", "kind": "AIGatewayRoute", "namespace": NAMESPACE},
                {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": NAMESPACE},
            ],
            "to": [{"group": POOL_GROUP, "kind": "InferencePool", "name": name}],
        },
    }
    metrics = picker_metrics_objects(model.key, ns, labels)
    return [*_rbac(model), config, _deployment(model), service, _network_policy(model), pool, grant, *metrics]
