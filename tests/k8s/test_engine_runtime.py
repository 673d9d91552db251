"""What the engine needs in the pod that mocks cannot show: a user name for a uid without a passwd entry, caches
on the writable volume, and the CPU image that matches the nodes' architecture."""

from __future__ import annotations

import getpass
import os
import pwd
from typing import Any

import pytest

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.infra.offline.stacks import plan_spec
from inferstack.infra.review.manifests import plan_manifests
from inferstack.k8s import pods
from inferstack.spec import EnvironmentSpec
from inferstack.validation.engines import warn_cpu_engine
from tests.conftest import shipped_plan

# Every variable the engine and its libraries need because the container runs as RUN_AS with no passwd entry and a
# read-only root: getpass.getuser() reads LOGNAME/USER before pwd; torch inductor and triton caches go to /cache.
ENGINE_ENV = {
    "HOME": "/cache",
    "XDG_CACHE_HOME": "/cache",
    "HF_HOME": "/cache/huggingface",
    "VLLM_CACHE_ROOT": "/cache/vllm",
    "USER": "inferstack",
    "LOGNAME": "inferstack",
    "TORCHINDUCTOR_CACHE_DIR": "/cache/torchinductor",
    "TRITON_CACHE_DIR": "/cache/triton",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}
LOCAL: dict[str, Any] = {
    "name": "t",
    "cloud": "kubernetes",
    "model_store": {"bucket": False},
    "models": {
        "tiny": {
            "source": "hf://Qwen/Qwen2.5-0.5B-Instruct@7ae557604adf67be50417f59c2c2f167def9a775",
            "engine": "vllm-cpu",
            "max_model_len": 4096,
        }
    },
}


def engine_pod(plan_docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (doc,) = [d for path, d in plan_docs.items() if path.startswith("Deployment-llm-tiny")]
    return doc["spec"]["template"]["spec"]


def test_the_scratch_environment_is_exactly_what_the_engine_needs() -> None:
    env = [*pods.scratch_env(), *pods.engine_runtime_env()]
    assert {item["name"]: item["value"] for item in env} == ENGINE_ENV
    for path in ("TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR", "HF_HOME", "VLLM_CACHE_ROOT"):
        assert ENGINE_ENV[path].startswith(pods.CACHE_DIR + "/")  # the writable emptyDir, not the read-only root


def test_getuser_works_for_a_uid_without_a_passwd_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_entry(uid: int) -> Any:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(KeyError):
        getpass.getuser()  # what torch's default cache dir hits in the pod without the variables
    for item in [*pods.scratch_env(), *pods.engine_runtime_env()]:
        monkeypatch.setitem(os.environ, item["name"], item["value"])
    assert getpass.getuser() == "inferstack"


def test_every_engine_container_of_every_shipped_stack_gets_the_environment() -> None:
    for stack in ("local", "aws-dev", "gcp-dev"):
        for path, doc in plan_manifests(shipped_plan(stack)).items():
            if doc.get("kind") != "Deployment" or "-engine" not in path:
                continue
            for container in doc["spec"]["template"]["spec"]["containers"]:
                env = {item["name"]: item.get("value") for item in container["env"]}
                assert {k: env.get(k) for k in ENGINE_ENV} == ENGINE_ENV, (stack, path)


@pytest.mark.parametrize(
    ("architecture", "image_key"), [(None, "vllm-cpu"), ("amd64", "vllm-cpu"), ("arm64", "vllm-cpu-arm64")]
)
def test_the_cpu_image_follows_the_node_architecture(architecture: str | None, image_key: str) -> None:
    document = {**LOCAL, "cluster": {"architecture": architecture} if architecture else {}}
    pod = engine_pod(plan_manifests(plan_spec("t", EnvironmentSpec.model_validate(document))))
    image = k8s_addons().images[image_key]  # type: ignore[index]
    assert {c["image"] for c in [*pod["containers"], *pod["initContainers"]]} == {image.ref}
    assert pod["nodeSelector"] == {"kubernetes.io/arch": architecture or "amd64"}


@pytest.mark.parametrize(("architecture", "needs"), [(None, "AVX-512"), ("arm64", "NEON")])
def test_validate_says_what_the_cpu_engine_needs(architecture: str | None, needs: str) -> None:
    document = {**LOCAL, "cluster": {"architecture": architecture} if architecture else {}}
    (warning,) = warn_cpu_engine(EnvironmentSpec.model_validate(document))
    assert warning.path == "environment.models.tiny.engine" and needs in warning.message
    overridden = {**LOCAL, "models": {"tiny": {**LOCAL["models"]["tiny"], "image": "my/vllm-cpu:v1.0.0"}}}
    assert list(warn_cpu_engine(EnvironmentSpec.model_validate(overridden))) == []
