"""Properties of the workload in every shipped stack, its manifests, and bad workload input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.infra.offline.offline_config import OFFLINE_SECRET_PLACEHOLDER
from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.manifests import plan_manifests
from inferstack.k8s.manifests.inputs import parse_source
from inferstack.spec import SpecError
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation import load_stack_file, parse_environment
from tests.conftest import shipped_plan, shipped_stacks
from tests.crd_schemas import crd_errors, crd_files

STACKS = sorted(shipped_stacks())
# CRDs have no schema in kubernetes-validate: they are validated against the vendored CRD schemas (tests/crds/).
CUSTOM_KINDS = {"ScaledObject", "PodMonitor", "PrometheusRule", "ServiceMonitor"} | {kind for _, kind in crd_files()}
# Custom resources of cluster scope (no namespace): GKE's ComputeClass, the Gateway API's GatewayClass, and
# Karpenter's NodePool and EC2NodeClass.
CLUSTER_SCOPED_KINDS = {"ComputeClass", "GatewayClass", "NodePool", "EC2NodeClass"}
runner = CliRunner()


@pytest.fixture(scope="module")
def stacks() -> dict[str, tuple[EnvironmentSpec, Plan]]:
    return {name: (load_stack_file(shipped_stacks()[name]), shipped_plan(name)) for name in STACKS}


def test_custom_resources_depend_on_the_release_with_their_crds() -> None:
    plan = shipped_plan("local")
    releases = {r.inputs["chart"]: r.urn for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    (scaled,) = plan.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject")
    (monitor,) = plan.of_type("kubernetes:monitoring.coreos.com/v1:PodMonitor")
    assert releases["keda"] in scaled.options.dependencies
    assert releases["kube-prometheus-stack"] in monitor.options.dependencies


def manifests(stacks: dict[str, tuple[EnvironmentSpec, Plan]], name: str) -> dict[str, dict[str, Any]]:
    return {path: doc for path, doc in plan_manifests(stacks[name][1]).items() if not path.startswith("helm/")}


def pod_specs(docs: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["kind"], doc["spec"]["template"]["spec"]) for doc in docs.values() if doc["kind"] in {"Deployment", "Job"}
    ]


# What a picker may do cluster-wide: check a scraper's token and its right to read /metrics (k8s/gateway/
# picker_metrics.py); neither reads any object.
REVIEW_RULES = [
    {"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]},
    {"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]},
]


def read_only_role_of(docs: dict[str, dict[str, Any]], namespace: str, account: str) -> list[dict[str, Any]]:
    """The rules bound to a service account in its namespace; cluster-wide it may only create reviews."""
    bindings = [
        doc
        for doc in docs.values()
        if doc["kind"] in {"RoleBinding", "ClusterRoleBinding"}
        and any(s["name"] == account and s.get("namespace") == namespace for s in doc["subjects"])
    ]
    local = [b for b in bindings if b["kind"] == "RoleBinding"]
    assert local and all(b["roleRef"]["kind"] == "Role" for b in local)
    for binding in bindings:
        if binding["kind"] == "ClusterRoleBinding":
            (role,) = [
                d
                for d in docs.values()
                if d["kind"] == "ClusterRole" and d["metadata"]["name"] == binding["roleRef"]["name"]
            ]
            assert role["rules"] == REVIEW_RULES
    roles = [
        doc
        for doc in docs.values()
        if doc["kind"] == "Role"
        and doc["metadata"]["namespace"] == namespace
        and doc["metadata"]["name"] in {b["roleRef"]["name"] for b in local}
    ]
    return [rule for role in roles for rule in role["rules"]]


@pytest.mark.parametrize("name", STACKS)
def test_every_model_is_served(stacks, name: str) -> None:
    spec, _ = stacks[name]
    docs = manifests(stacks, name)
    for key in spec.models:
        assert f"Deployment-llm-{key}-{key}-engine.yaml" in docs
        assert f"ScaledObject-llm-{key}-{key}.yaml" in docs
        assert f"NetworkPolicy-llm-{key}-default-deny.yaml" in docs


@pytest.mark.parametrize("name", STACKS)
def test_manifests_validate_strictly(stacks, name: str) -> None:
    version = stacks[name][0].cluster.kubernetes_version + ".0"
    for path, doc in manifests(stacks, name).items():
        if doc["kind"] in CUSTOM_KINDS:
            assert bool(doc["metadata"].get("namespace")) != (doc["kind"] in CLUSTER_SCOPED_KINDS), path
            assert crd_errors(doc) == [], path
            continue
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("name", STACKS)
def test_containers_are_locked_down_and_probed(stacks, name: str) -> None:
    docs = manifests(stacks, name)
    deployments = {id(d["spec"]["template"]["spec"]): d for d in docs.values() if d["kind"] == "Deployment"}
    for kind, pod in pod_specs(docs):
        if pod["automountServiceAccountToken"] is not False:
            # Only a pod that reads the API (the gateway's endpoint picker) mounts a token, bound to a Role that
            # can only read, in its own namespace.
            namespace = deployments[id(pod)]["metadata"]["namespace"]
            rules = read_only_role_of(docs, namespace, pod["serviceAccountName"])
            assert rules and all(set(rule["verbs"]) <= {"get", "list", "watch"} for rule in rules)
            assert all("secrets" not in rule["resources"] for rule in rules)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] >= 10000
        for container in pod["containers"] + pod.get("initContainers", []):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"} and context["runAsUser"] >= 10000
            assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        if kind == "Deployment":
            for container in pod["containers"]:
                assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(container)


@pytest.mark.parametrize("name", STACKS)
def test_gpu_pods_tolerate_their_pool_and_request_tensor_parallel(stacks, name: str) -> None:
    spec, _ = stacks[name]
    docs = manifests(stacks, name)
    for key, model in spec.models.items():
        pod = docs[f"Deployment-llm-{key}-{key}-engine.yaml"]["spec"]["template"]["spec"]
        (engine,) = pod["containers"]
        # Only the engine asks for GPUs: init containers and the compile-cache sidecar share the pod, not the device.
        assert all("nvidia.com/gpu" not in c["resources"]["limits"] for c in pod.get("initContainers", []))
        if model.pool is None:
            assert "nvidia.com/gpu" not in engine["resources"]["limits"] and "tolerations" not in pod
            continue
        assert engine["resources"]["limits"]["nvidia.com/gpu"] == str(model.tensor_parallel)
        # A ComputeClass pool's nodes also carry the class's taint (GKE puts it there); its toleration is the second.
        gpu_tolerations = [t for t in pod["tolerations"] if t["key"] != "cloud.google.com/compute-class"]
        class_tolerations = [t for t in pod["tolerations"] if t["key"] == "cloud.google.com/compute-class"]
        on_class = spec.cluster.provisioner == "compute_class"
        wanted = [pod["nodeSelector"]["cloud.google.com/compute-class"]] if on_class else []
        assert [t["value"] for t in class_tolerations] == wanted
        (toleration,) = gpu_tolerations
        if spec.cloud == "kubernetes":
            # Described nodes: selected by NVIDIA's product label, their GPU taint tolerated whatever its value.
            assert "inferstack.dev/pool" not in pod["nodeSelector"] and "nvidia.com/gpu.product" in pod["nodeSelector"]
            assert toleration == {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
        else:
            assert pod["nodeSelector"]["inferstack.dev/pool"] == model.pool
            # Exactly one toleration, for the pool's GPU taint (its value is the cloud's; the standalone test pins it).
            assert toleration["key"] == "nvidia.com/gpu" and toleration["operator"] == "Equal" and toleration["value"]
        assert {v["name"]: v for v in pod["volumes"]}["dshm"]["emptyDir"]["medium"] == "Memory"


@pytest.mark.parametrize("name", STACKS)
def test_serving_pods_load_from_the_bucket_or_the_cache(stacks, name: str) -> None:
    spec, _ = stacks[name]
    docs = manifests(stacks, name)
    for key, model in spec.models.items():
        (engine,) = docs[f"Deployment-llm-{key}-{key}-engine.yaml"]["spec"]["template"]["spec"]["containers"]
        path = engine["args"][engine["args"].index("--model") + 1]
        _, revision = parse_source(model.source)
        assert path.endswith(f"/{revision}")
        assert path.startswith(("s3://", "gs://")) if spec.model_store.bucket else path.startswith("/models/")


@pytest.mark.parametrize("name", STACKS)
def test_no_secret_value_in_plan_or_manifests(stacks, name: str) -> None:
    _, plan = stacks[name]
    assert OFFLINE_SECRET_PLACEHOLDER not in plan.to_json()
    assert OFFLINE_SECRET_PLACEHOLDER not in yaml.safe_dump(plan_manifests(plan))


# The CLI runs the whole plan again: one stack with a hub-token secret, and the local stack.
@pytest.mark.parametrize("name", ["aws-prod", "local"])
def test_cli_writes_manifests_without_secret_values(name: str, tmp_path: Path) -> None:
    # --out owns its whole folder, so the Plan JSON goes beside it.
    result = runner.invoke(app, ["plan", name, "--out", str(tmp_path / "m"), "--json", str(tmp_path / "plan.json")])
    assert result.exit_code == 0, result.output
    assert OFFLINE_SECRET_PLACEHOLDER not in result.output
    assert OFFLINE_SECRET_PLACEHOLDER not in (tmp_path / "plan.json").read_text()
    files = [path.read_text() for path in (tmp_path / "m").rglob("*.yaml")]
    assert files and not any(OFFLINE_SECRET_PLACEHOLDER in text for text in files)


def test_local_targets_the_kubeconfig_context(stacks) -> None:
    _, plan = stacks["local"]
    (provider,) = plan.of_type("pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "kind-inferstack"
    releases = sorted(r.inputs["chart"] for r in plan.of_type("kubernetes:helm.sh/v3:Release"))
    assert releases == ["keda", "kube-prometheus-stack"]


BASE = {
    "cloud": "aws",
    "region": "us-east-1",
    "zones": ["use1-az1", "use1-az2"],
    "node_pools": {"l4": {"gpu": "nvidia-l4", "gpus_per_node": 1, "max": 2}},
}
SOURCE = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"


@pytest.mark.parametrize(
    ("model", "path", "words"),
    [
        ({"source": SOURCE, "pool": "l4", "tensor_parallel": 2}, "models.chat.tensor_parallel", "does not divide"),
        ({"source": SOURCE}, "models.chat.pool", "is required"),
        ({"source": SOURCE, "pool": "l4", "engine": "tgi"}, "models.chat.engine", "vllm"),
        ({"source": SOURCE, "pool": "l4", "image": "vllm/vllm-openai:latest"}, "models.chat.image", "latest"),
        (
            {"source": SOURCE, "pool": "l4", "load_balancer": {"internal": False}},
            "models.chat.load_balancer.source_ranges",
            "whole internet",
        ),
    ],
)
def test_bad_workload_input_is_reported(model: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(SpecError) as error:
        parse_environment({**BASE, "models": {"chat": model}}, "dev")
    assert any(issue.path == f"environment.{path}" and words in str(issue) for issue in error.value.issues), str(
        error.value
    )


def test_reserved_model_key() -> None:
    with pytest.raises(SpecError, match="reserved"):
        parse_environment({**BASE, "models": {"staging": {"source": SOURCE, "pool": "l4"}}}, "dev")


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.bad.yaml"
    model = {"source": SOURCE, "pool": "l4", "tensor_parallel": 4, "image": "vllm/vllm-openai:latest"}
    stack.write_text(yaml.safe_dump({"config": {"inferstack:environment": {**BASE, "models": {"chat": model}}}}))
    result = runner.invoke(app, ["plan", str(stack), "--out", str(tmp_path / "m")])
    assert result.exit_code == EXIT_INVALID
    assert "Traceback" not in result.output and "tensor_parallel" in result.output and "latest" in result.output
