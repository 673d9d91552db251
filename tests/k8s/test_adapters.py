"""LoRA adapters in the workload: a staging Job per adapter revision, fetched into the pod, loaded by vLLM by name."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.offline_config import OFFLINE_SECRET_PLACEHOLDER
from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.manifests import plan_manifests
from inferstack.k8s.engines import EngineArgs, vllm_gpu_args
from inferstack.k8s.inference import InferenceService
from inferstack.k8s.staging import ModelStaging, adapter_job_name, adapter_jobs
from inferstack.planning.served_names import served_names
from tests.k8s.support import chat_model, fake_target

SQL = "hf://example-org/qwen2.5-7b-sql-lora@" + "1" * 40
SUPPORT = "hf://example-org/qwen2.5-7b-support-lora@" + "2" * 40
ADAPTERS = {"sql": SQL, "support": SUPPORT}
SECRETS = {"inferstack:chatApiKey": OFFLINE_SECRET_PLACEHOLDER, "inferstack:hubToken": OFFLINE_SECRET_PLACEHOLDER}


def run(program: Any) -> Plan:
    return run_offline(program, stack="test", config=SECRETS, secret_keys=list(SECRETS))


def pod_of(plan: Plan) -> dict[str, Any]:
    return plan_manifests(plan)["Deployment-llm-chat-chat-engine.yaml"]["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def bucket_plan() -> Plan:
    model = chat_model(adapters=ADAPTERS, lora={"max_rank": 32})

    def program() -> None:
        target = fake_target()
        staging = ModelStaging("dev-staging", {"chat": model}, target)
        after = [staging.jobs["chat"], *staging.adapter_jobs["chat"]]
        assert len(after) == 3  # the weights and one Job per adapter
        InferenceService("dev-chat", "chat", model, target, after=after)

    return run(program)


def test_engine_loads_every_adapter_by_name_from_the_pod_volume(bucket_plan: Plan) -> None:
    (engine,) = pod_of(bucket_plan)["containers"]
    args = engine["args"]
    assert "--enable-lora" in args
    assert args[args.index("--max-lora-rank") + 1] == "32"
    # max_loras defaults to one slot per adapter, so both stay resident.
    assert args[args.index("--max-loras") + 1] == "2"
    modules = args[args.index("--lora-modules") + 1 :]
    assert modules[:2] == ["sql=/adapters/sql", "support=/adapters/support"]
    assert {"name": "adapters", "mountPath": "/adapters", "readOnly": True} in engine["volumeMounts"]


def test_an_init_container_fetches_the_staged_adapters_before_the_engine(bucket_plan: Plan) -> None:
    pod = pod_of(bucket_plan)
    (fetch,) = [c for c in pod["initContainers"] if c["name"] == "fetch-adapters"]
    env = {e["name"]: e.get("value") for e in fetch["env"]}
    assert env["ADAPTERS"] == (
        '{"sql":"s3://dev-models/models/chat/adapters/sql/' + "1" * 40 + '",'
        '"support":"s3://dev-models/models/chat/adapters/support/' + "2" * 40 + '"}'
    )
    assert fetch["securityContext"]["readOnlyRootFilesystem"] is True
    (volume,) = [v for v in pod["volumes"] if v["name"] == "adapters"]
    assert volume["emptyDir"]["sizeLimit"].endswith("Gi")


def test_each_adapter_revision_has_its_own_staging_job_under_the_model_prefix(bucket_plan: Plan) -> None:
    docs = plan_manifests(bucket_plan)
    jobs = {doc["metadata"]["name"]: doc for doc in docs.values() if doc["kind"] == "Job"}
    names = {adapter_job_name("chat", "sql", SQL), adapter_job_name("chat", "support", SUPPORT)}
    assert names < set(jobs)
    job = jobs[adapter_job_name("chat", "sql", SQL)]
    assert job["metadata"]["labels"]["inferstack.dev/adapter"] == "sql"
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "model-stager"
    env = {e["name"]: e.get("value") for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MODEL_REPO"] == "example-org/qwen2.5-7b-sql-lora"
    # Under models/<key>/ : the model's reader identity (read-only, that prefix only) covers it, nothing wider.
    assert env["MODEL_DEST"] == "s3://dev-models/models/chat/adapters/sql/" + "1" * 40
    assert all(len(name) <= 63 for name in jobs)


def test_a_new_adapter_revision_is_a_new_job() -> None:
    other = SQL.replace("1" * 40, "3" * 40)
    assert adapter_job_name("chat", "sql", other) != adapter_job_name("chat", "sql", SQL)
    model = chat_model(adapters={"sql": other})
    (job,) = adapter_jobs("chat", model, "gs://bucket")
    assert job["metadata"]["name"] == adapter_job_name("chat", "sql", other)


def test_without_a_bucket_each_adapter_is_downloaded_once_into_the_cache_volume() -> None:
    model = chat_model(adapters={"sql": SQL})

    def program() -> None:
        InferenceService("dev-chat", "chat", model, fake_target(bucket=False))

    pod = pod_of(run(program))
    names = [c["name"] for c in pod["initContainers"]]
    assert names == ["fill-model-cache", "fill-adapter-sql"]
    (engine,) = pod["containers"]
    assert "sql=/models/adapters/sql/" + "1" * 40 in engine["args"]
    assert not [v for v in pod["volumes"] if v["name"] == "adapters"]


def test_no_adapters_no_lora_flags() -> None:
    assert "--enable-lora" not in vllm_gpu_args(EngineArgs(model_path="s3://b/m", served_name="chat"))


def test_served_names_are_the_model_then_its_adapters() -> None:
    model = chat_model(adapters={"support": SUPPORT, "sql": SQL})
    assert served_names("chat", model) == ("chat", "sql", "support")
    renamed = model.model_copy(update={"served_name": "qwen", "adapters": {}})
    assert served_names("chat", renamed) == ("qwen",)


def test_the_smoke_test_checks_every_served_name_is_listed() -> None:
    from inferstack.k8s.manifests.inputs import ServiceInputs
    from inferstack.k8s.manifests.smoke import smoke_env, smoke_script
    from inferstack.spec.monitoring_parts import SmokeTestSpec

    model = chat_model(adapters=ADAPTERS, replicas={"min": 1, "max": 2})
    inputs = ServiceInputs(key="chat", model=model, pool=None, store_uri="s3://b", prometheus_url="http://p")
    env = smoke_env(inputs, SmokeTestSpec())
    assert env["SMOKE_MODELS"] == "chat sql support"
    assert "for m in $SMOKE_MODELS" in smoke_script(api_key=True)


def test_in_an_environment_the_engine_waits_for_its_adapters_jobs() -> None:
    import yaml

    from inferstack.infra.offline.stacks import plan_spec
    from inferstack.validation import parse_environment
    from tests.conftest import shipped_stacks

    document = yaml.safe_load(shipped_stacks()["gcp-dev"].read_text())["config"]["inferstack:environment"]
    document["models"]["chat"]["adapters"] = ADAPTERS
    plan = plan_spec("gcp-dev", parse_environment(document, "gcp-dev"), {"gcp:project": "my-gcp-project"})
    jobs = {r.name: r.urn for r in plan.of_type("kubernetes:batch/v1:Job")}
    adapter_urns = [urn for name, urn in jobs.items() if "-lora-" in name]
    assert len(adapter_urns) == 2
    (deployment,) = plan.of_type("kubernetes:apps/v1:Deployment")
    assert set(adapter_urns) <= set(deployment.options.dependencies)
