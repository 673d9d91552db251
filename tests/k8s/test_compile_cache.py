"""The persisted torch.compile cache: the pod's fetcher and publisher, their scripts, the planner, the checks."""

from __future__ import annotations

import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from inferstack import catalog
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.k8s.manifests.compile_cache import cache_uri, compile_cache_enabled, image_version
from inferstack.k8s.manifests.inputs import ServiceInputs
from inferstack.k8s.manifests.pod import deployment_object, startup
from inferstack.k8s.scripts import FETCH_COMPILE_CACHE, MARKER, PUBLISH_COMPILE_CACHE
from inferstack.planning.startup import startup_estimate
from inferstack.planning.startup_terms import startup_terms
from inferstack.spec import EnvironmentSpec
from inferstack.target import TargetPool
from inferstack.validation import check_environment
from tests.k8s.support import QWEN_7B, chat_model, l4_pool

REV = QWEN_7B.rsplit("@", 1)[1]
AWS: dict[str, Any] = {"name": "t", "cloud": "aws", "region": "us-east-1", "zones": ["use1-az1", "use1-az2"]}


def cached_pool() -> TargetPool:
    return TargetPool(**{**vars(l4_pool()), "compile_cache": True, "cloud": "aws"})


def inputs(pool: TargetPool | None = None, store: str | None = "s3://dev-models", **model: object) -> ServiceInputs:
    return ServiceInputs("chat", chat_model(**model), pool or cached_pool(), store, "http://p")


def pod(inp: ServiceInputs) -> dict[str, Any]:
    return deployment_object(inp)["spec"]["template"]["spec"]


def test_the_cache_is_keyed_by_model_revision_and_engine_image() -> None:
    pinned = k8s_addons().images["vllm"].tag
    assert cache_uri(inputs()) == f"s3://dev-models/compile-cache/chat/{REV}/{pinned}"
    assert image_version("registry.example/vllm-openai:v0.17.1") == "v0.17.1"
    assert image_version("registry.example:5000/vllm@sha256:" + "ab" * 32) == "sha256-" + "ab" * 8
    other = cache_uri(inputs(image="registry.example/vllm-openai:v0.17.1"))
    assert other.endswith(f"/{REV}/v0.17.1") and other != cache_uri(inputs())


def test_the_pod_fetches_before_the_engine_and_publishes_beside_it() -> None:
    spec = pod(inputs())
    fetch, publish = spec["initContainers"]
    (engine,) = spec["containers"]
    # The fetcher completes before anything else starts; the publisher is a native sidecar running beside the engine.
    assert "restartPolicy" not in fetch and publish["restartPolicy"] == "Always"
    assert (fetch["name"], engine["name"], publish["name"]) == (
        "fetch-compile-cache",
        "engine",
        "publish-compile-cache",
    )
    root = next(e["value"] for e in engine["env"] if e["name"] == "VLLM_CACHE_ROOT")
    for side in (fetch, publish):
        env = {e["name"]: e["value"] for e in side["env"]}
        # The same volume and the directory vLLM writes under its cache root (catalog: compile_cache_dir).
        assert env["CACHE_DIR"] == f"{root}/torch_compile_cache" and env["CACHE_URI"] == cache_uri(inputs())
        assert {"name": "cache", "mountPath": "/cache"} in side["volumeMounts"]
        assert side["securityContext"]["readOnlyRootFilesystem"] and not side["securityContext"]["privileged"]
        assert side["image"] == engine["image"]  # already on the node: no second pull
        assert "nvidia.com/gpu" not in side["resources"]["limits"]
    health = {e["name"]: e["value"] for e in publish["env"]}["ENGINE_HEALTH_URL"]
    assert health == f"http://127.0.0.1:{engine['ports'][0]['containerPort']}/health"


@pytest.mark.parametrize(
    "case",
    [
        {"pool": l4_pool()},  # the pool does not ask
        {"store": None},  # no bucket: the weights come from a cache volume
    ],
)
def test_no_cache_containers_unless_the_pool_asks_and_a_bucket_holds_it(case: dict[str, Any]) -> None:
    inp = inputs(**case)
    assert not compile_cache_enabled(inp)
    names = [c["name"] for c in pod(inp)["containers"] + pod(inp).get("initContainers", [])]
    assert "engine" in names
    assert not {"fetch-compile-cache", "publish-compile-cache"} & set(names)


class FakeS3:
    """Enough of boto3's S3 client for the scripts: objects in a dict."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects
        self.exceptions = types.SimpleNamespace(ClientError=KeyError)

    def head_object(self, Bucket: str, Key: str) -> None:
        self.objects[Key]

    def get_paginator(self, _: str) -> Any:
        objects = self.objects
        return types.SimpleNamespace(
            paginate=lambda Bucket, Prefix: [{"Contents": [{"Key": k} for k in objects if k.startswith(Prefix)]}]
        )

    def download_file(self, bucket: str, key: str, path: str) -> None:
        Path(path).write_bytes(self.objects[key])

    def upload_file(self, path: str, bucket: str, key: str) -> None:
        self.objects[key] = Path(path).read_bytes()


def run(script: str, env: dict[str, str], s3: FakeS3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", types.SimpleNamespace(client=lambda _: s3))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        exec(compile(script, "<script>", "exec"), {"__name__": "__main__"})
    except SystemExit as done:
        assert done.code in (None, 0)


def test_fetch_loads_a_published_cache_and_never_writes_outside_it(tmp_path: Path, monkeypatch: Any) -> None:
    prefix = "compile-cache/chat/r/v1"
    env = {"CACHE_URI": f"s3://b/{prefix}", "CACHE_DIR": str(tmp_path / "cc")}
    unpublished = FakeS3({f"{prefix}/abc/rank_0_0/backbone/vllm_compile_cache.py": b"{}"})
    run(FETCH_COMPILE_CACHE, env, unpublished, monkeypatch)
    assert not (tmp_path / "cc").exists()  # no marker: a half-published cache is never loaded
    objects = {
        f"{prefix}/abc/rank_0_0/backbone/vllm_compile_cache.py": b"{}",
        f"{prefix}/../../escape.txt": b"x",
        f"{prefix}/{MARKER}": b"done",
    }
    run(FETCH_COMPILE_CACHE, env, FakeS3(objects), monkeypatch)
    assert (tmp_path / "cc/abc/rank_0_0/backbone/vllm_compile_cache.py").read_bytes() == b"{}"
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "cc" / MARKER).exists()


def test_fetch_failing_leaves_the_engine_to_compile(tmp_path: Path, monkeypatch: Any) -> None:
    broken = FakeS3({})
    broken.head_object = lambda **_: (_ for _ in ()).throw(RuntimeError("access denied"))  # type: ignore[method-assign]
    run(FETCH_COMPILE_CACHE, {"CACHE_URI": "s3://b/p", "CACHE_DIR": str(tmp_path)}, broken, monkeypatch)


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


def test_publish_waits_for_the_engine_then_uploads_once_marker_last(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "abc/rank_0_0").mkdir(parents=True)
    (tmp_path / "abc/rank_0_0/graph.py").write_text("g")
    server = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s3 = FakeS3({})
    order: list[str] = []
    upload = s3.upload_file
    s3.upload_file = lambda path, bucket, key: (order.append(key), upload(path, bucket, key))  # type: ignore[method-assign]

    class Idle(Exception):
        pass

    def sleep(seconds: float) -> None:
        raise Idle  # the publisher's idle loop: stop the test there

    monkeypatch.setattr("time.sleep", sleep)
    env = {"CACHE_URI": "s3://b/cc/chat/r/v1", "CACHE_DIR": str(tmp_path)}
    env["ENGINE_HEALTH_URL"] = f"http://127.0.0.1:{server.server_port}/health"
    for _ in range(2):
        with pytest.raises(Idle):
            run(PUBLISH_COMPILE_CACHE, env, s3, monkeypatch)
    server.shutdown()
    assert order == ["cc/chat/r/v1/abc/rank_0_0/graph.py", f"cc/chat/r/v1/{MARKER}"]  # the second run uploads nothing


def test_later_replicas_load_the_cache_and_the_probe_still_budgets_the_compile() -> None:
    warm = catalog.efficiency().startup.warmup
    plain = startup_estimate(16, "bucket", "aws", local_nvme=True)
    cached = startup_estimate(16, "bucket", "aws", local_nvme=True, compile_cache=True)
    assert cached.pod_s == plain.pod_s and cached.probe_budget_s == plain.probe_budget_s  # the first one compiles
    assert cached.later_pod_s == pytest.approx(plain.pod_s - warm.compile_s.value + warm.compile_cached_s.value)
    assert cached.later_cold_s == pytest.approx(cached.node_boot_s + cached.later_pod_s)
    assert startup(inputs()).later_pod_s < startup(inputs(pool=l4_pool())).later_pod_s


def test_the_printed_terms_add_up_to_the_estimate() -> None:
    est = startup_estimate(70.6, "bucket", "aws", local_nvme=True, compile_cache=True)
    terms = {term.name: term for term in startup_terms(est, "aws")}
    first = sum(t.seconds for name, t in terms.items() if name not in ("node boot (new node)",) and "later" not in name)
    assert first == pytest.approx(est.pod_s)
    later = first - terms["torch.compile (first replica)"].seconds + terms["torch.compile (later, cached)"].seconds
    assert later == pytest.approx(est.later_pod_s)
    assert all(len(term.source) > 8 for term in terms.values())
    assert "#16848" in terms["torch.compile (later, cached)"].source


def issues(spec: dict[str, Any]) -> dict[str, str]:
    found = check_environment(EnvironmentSpec.model_validate(spec))
    return {issue.path: f"{issue.message} — {issue.fix}" for issue in found}


POOL = {"gpu": "nvidia-l4", "max": 3, "cold_start": {"compile_cache": True}}


def test_the_cache_needs_a_bucket_and_the_gpu_engine() -> None:
    model = chat_model().model_dump(mode="json", exclude_none=True) | {"pool": "p"}
    ok = AWS | {"node_pools": {"p": POOL}, "models": {"chat": model}}
    assert "environment.node_pools.p.cold_start.compile_cache" not in issues(ok)
    no_bucket = issues(ok | {"model_store": {"bucket": False}})
    assert "model_store.bucket: true" in no_bucket["environment.node_pools.p.cold_start.compile_cache"]
    cpu = issues(ok | {"models": {"chat": model | {"engine": "vllm-cpu"}}})
    assert "engine vllm" in cpu["environment.node_pools.p.cold_start.compile_cache"]
