"""InferenceService and ModelStaging standalone, on a fake ClusterTarget under the offline engine."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi
import pytest

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.offline_config import OFFLINE_SECRET_PLACEHOLDER
from inferstack.infra.offline.plan import SECRET, Plan
from inferstack.infra.review.manifests import plan_manifests, to_yaml
from inferstack.k8s.addons import ClusterAddons, plan_addons
from inferstack.k8s.inference import InferenceService
from inferstack.k8s.staging import ModelStaging, job_name
from inferstack.spec.models import ModelSpec
from tests.goldens import check_golden
from tests.k8s.support import QWEN_7B, chat_model, fake_target

SECRETS = {"inferstack:chatApiKey": OFFLINE_SECRET_PLACEHOLDER, "inferstack:hubToken": OFFLINE_SECRET_PLACEHOLDER}


def run(program: Any) -> Plan:
    return run_offline(program, stack="test", config=SECRETS, secret_keys=list(SECRETS))


@pytest.fixture(scope="module")
def chat_plan() -> Plan:
    def program() -> None:
        InferenceService("dev-chat", "chat", chat_model(), fake_target())

    return run(program)


def test_full_service_matches_golden(chat_plan: Plan) -> None:
    text = "".join(f"# {name}\n---\n{to_yaml(doc)}" for name, doc in plan_manifests(chat_plan).items())
    check_golden("inference_service_chat.yaml", text, "tests/k8s/test_inference_service.py")


def test_service_objects(chat_plan: Plan) -> None:
    kinds = sorted(doc["kind"] for doc in plan_manifests(chat_plan).values())
    assert kinds == sorted(
        [
            *("Namespace", "ServiceAccount", "Secret", "Deployment", "Service", "Service", "PodDisruptionBudget"),
            *("NetworkPolicy", "NetworkPolicy", "ScaledObject", "PodMonitor", "PrometheusRule"),
            # chat sleeps at zero: its wake Service and InterceptorRoute.
            *("Service", "InterceptorRoute"),
        ]
    )


def test_secret_holds_only_the_api_key_and_is_masked(chat_plan: Plan) -> None:
    (secret,) = [doc for doc in plan_manifests(chat_plan).values() if doc["kind"] == "Secret"]
    # With a bucket, serving pods never talk to the hub: the hub token lives in the staging namespace only.
    assert secret["stringData"] == {"api-key": SECRET}
    assert OFFLINE_SECRET_PLACEHOLDER not in chat_plan.to_json()


def test_pod_tolerates_exactly_its_pool_taint(chat_plan: Plan) -> None:
    pod = plan_manifests(chat_plan)["Deployment-llm-chat-chat-engine.yaml"]["spec"]["template"]["spec"]
    assert pod["tolerations"] == [
        {"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Equal", "value": "true"}
    ]
    assert pod["nodeSelector"] == {"inferstack.dev/gpu": "nvidia-l4", "inferstack.dev/pool": "l4"}
    (engine,) = pod["containers"]
    assert engine["resources"]["requests"] == engine["resources"]["limits"]
    assert engine["resources"]["limits"]["nvidia.com/gpu"] == "1"


def test_lb_is_internal_with_source_ranges(chat_plan: Plan) -> None:
    docs = plan_manifests(chat_plan)
    lb = docs["Service-llm-chat-chat-lb.yaml"]
    assert lb["metadata"]["annotations"] == {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}
    assert lb["spec"]["loadBalancerSourceRanges"] == ["10.40.0.0/16"]
    assert docs["Service-llm-chat-chat.yaml"]["spec"]["type"] == "ClusterIP"


def test_scale_to_zero_and_kv_trigger(chat_plan: Plan) -> None:
    scaled = plan_manifests(chat_plan)["ScaledObject-llm-chat-chat.yaml"]["spec"]
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (0, 3)
    queries = [trigger["metadata"]["query"] for trigger in scaled["triggers"] if trigger["type"] == "prometheus"]
    assert queries == [
        'sum(vllm:num_requests_waiting{namespace="llm-chat"})',
        'avg(vllm:kv_cache_usage_perc{namespace="llm-chat"})',
    ]


def test_custom_resources_wait_for_their_crds() -> None:
    asked: list[str] = []

    def owner(api_version: str) -> list[pulumi.Resource]:
        asked.append(api_version)
        return []

    run(lambda: InferenceService("dev-chat", "chat", chat_model(), fake_target(), crd_owner=owner) and None)
    assert {"keda.sh/v1alpha1", "monitoring.coreos.com/v1"} <= set(asked)


def test_addons_map_crd_groups_to_their_releases() -> None:
    found: dict[str, list[str]] = {}

    def program() -> None:
        target = fake_target()
        addons = ClusterAddons("dev-addons", plan_addons(target, minimal=False), target.provider)
        for api in ("keda.sh/v1alpha1", "monitoring.coreos.com/v1", "apps/v1"):
            found[api] = [r._name for r in addons.crd_owner(api)]

    plan = run(program)
    assert found == {
        "keda.sh/v1alpha1": ["dev-addons-keda"],
        "monitoring.coreos.com/v1": ["dev-addons-kube-prometheus-stack"],
        "apps/v1": [],
    }
    charts = {r.inputs["chart"]: r.inputs for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    assert set(charts) == {"kube-prometheus-stack", "keda", "nvidia-device-plugin", "dcgm-exporter"}
    assert all(release["version"][0].isdigit() for release in charts.values())


@pytest.mark.parametrize(
    ("device_plugin", "pools", "expected"), [(False, True, 3), (True, False, 3), (False, False, 2)]
)
def test_gpu_addons_follow_the_target(device_plugin: bool, pools: bool, expected: int) -> None:
    def program() -> None:
        target = replace(fake_target(pools=None if pools else {}), needs_device_plugin=device_plugin)
        assert len(plan_addons(target, minimal=False)) == expected

    run(program)


def test_local_cache_without_bucket() -> None:
    model = ModelSpec.model_validate(
        {"source": QWEN_7B, "engine": "vllm-cpu", "hub_token_secret": "hubToken", "max_model_len": 4096}
    )
    plan = run(lambda: InferenceService("local-tiny", "tiny", model, fake_target(bucket=False, pools={})) and None)
    docs = plan_manifests(plan)
    pod = docs["Deployment-llm-tiny-tiny-engine.yaml"]["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["fill-model-cache"]
    assert pod["volumes"][-2:] == [
        {"name": "models", "persistentVolumeClaim": {"claimName": "tiny-model-cache"}},
        {
            "name": "hub-token",
            "secret": {
                "secretName": "tiny-credentials",
                "items": [{"key": "hub-token", "path": "token"}],
                "defaultMode": 0o440,
            },
        },
    ]
    (filler,) = pod["initContainers"]
    # The hub token is a read-only file huggingface_hub finds through HF_TOKEN_PATH, never an env value.
    assert {"name": "HF_TOKEN_PATH", "value": "/var/run/secrets/inferstack/hub/token"} in filler["env"]
    assert not any(var["name"] == "HF_TOKEN" for var in filler["env"])
    assert {"name": "hub-token", "mountPath": "/var/run/secrets/inferstack/hub", "readOnly": True} in filler[
        "volumeMounts"
    ]
    assert not any(m["name"] == "hub-token" for m in pod["containers"][0]["volumeMounts"])  # the engine never sees it
    # No pool: only the architecture its image was built for (amd64 unless the target says otherwise).
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "amd64"} and "tolerations" not in pod
    assert docs["Secret-llm-tiny-tiny-credentials.yaml"]["stringData"] == {"hub-token": SECRET}


def test_staging_job_per_revision() -> None:
    models = {"chat": chat_model()}
    plan = run(lambda: ModelStaging("dev-staging", models, fake_target()) and None)
    docs = plan_manifests(plan)
    job = docs[f"Job-llm-staging-{job_name('chat', QWEN_7B)}.yaml"]
    env = {item["name"]: item.get("value") for item in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MODEL_DEST"] == "s3://dev-models/models/chat/a09a35458c702b33eeacc393d103063234e8bc28"
    account = docs["ServiceAccount-llm-staging-model-stager.yaml"]
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/stager"}
    assert docs["Secret-llm-staging-chat-hub-token.yaml"]["stringData"] == {"hub-token": SECRET}
    other = QWEN_7B.replace("a09a", "b09a")
    assert job_name("chat", other) != job_name("chat", QWEN_7B) and job_name("chat", QWEN_7B).startswith("stage-chat-")
