"""The accelerated cold-start path: what it changes in the estimate, the spec checks, and the nodes and pods."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from inferstack import catalog
from inferstack.aws.plan.node_user_data import node_user_data
from inferstack.gcp.node_pool import cold_start_config
from inferstack.gcp.plan.nodes import plan_gke_gpu_pool
from inferstack.infra.cli.app import app
from inferstack.k8s.engines import vllm_gpu_args
from inferstack.k8s.manifests.inputs import ServiceInputs, engine_args
from inferstack.k8s.manifests.pod import startup
from inferstack.planning.spec_serving import spec_startups
from inferstack.planning.startup import path_accelerators, startup_estimate, streams_image
from inferstack.spec import EnvironmentSpec
from inferstack.spec.models import ColdStartSpec
from inferstack.target import TargetPool
from inferstack.validation import check_environment
from inferstack.validation.checks import warn_environment as warnings_of
from tests.k8s.support import chat_model, l4_pool

runner = CliRunner()
AWS: dict[str, Any] = {"name": "t", "cloud": "aws", "region": "us-east-1", "zones": ["use1-az1", "use1-az2"]}
GCP: dict[str, Any] = {"name": "t", "cloud": "gcp", "region": "us-central1", "zones": ["us-central1-a"]}


def issues(base: dict[str, Any], pool: dict[str, Any]) -> dict[str, str]:
    spec = EnvironmentSpec.model_validate(base | {"node_pools": {"p": pool}})
    return {issue.path: f"{issue.message} — {issue.fix}" for issue in check_environment(spec)}


def test_each_accelerator_shortens_its_own_term() -> None:
    default = startup_estimate(140, "bucket", "aws")
    nvme = startup_estimate(140, "bucket", "aws", local_nvme=True)
    both = startup_estimate(140, "bucket", "gcp", local_nvme=True, image_streaming=True)
    assert (default.path, nvme.path) == ("default", "accelerated")
    assert nvme.image_pull_s < default.image_pull_s and both.image_pull_s < nvme.image_pull_s
    # The tuned streamer reads faster than the default loader; the warm-up is what neither changes.
    assert nvme.weight_load_s < default.weight_load_s and nvme.warmup_s == default.warmup_s
    # A shorter load means a shorter probe budget, still above the expected load + warm-up.
    assert nvme.probe_budget_s < default.probe_budget_s
    assert nvme.probe_budget_s >= nvme.weight_load_s + nvme.warmup_s


def test_a_local_cache_volume_is_not_accelerated() -> None:
    assert startup_estimate(15, "local", local_nvme=True) == startup_estimate(15, "local")


def test_every_accelerated_fact_has_a_source_and_date() -> None:
    fast = catalog.efficiency().startup.accelerated
    for name in type(fast).model_fields:
        fact = getattr(fast, name)
        assert fact.source.strip() and fact.as_of is not None and fact.value > 0, name


def test_local_nvme_on_a_type_without_instance_store_names_the_field_and_the_types() -> None:
    found = issues(AWS, {"gpu": "nvidia-h100-sxm", "instance_type": "p5.4xlarge", "cold_start": {"local_nvme": True}})
    assert "no instance store" in found["environment.node_pools.p.cold_start.local_nvme"]
    found = issues(GCP, {"gpu": "nvidia-l4", "cold_start": {"local_nvme": True}})
    assert "no instance store" in found["environment.node_pools.p.cold_start.local_nvme"]
    assert issues(AWS, {"gpu": "nvidia-l4", "cold_start": {"local_nvme": True}}) == {}


def test_image_streaming_is_gke_only() -> None:
    found = issues(AWS, {"gpu": "nvidia-l4", "cold_start": {"image_streaming": True}})
    assert "GKE" in found["environment.node_pools.p.cold_start.image_streaming"]
    assert issues(GCP, {"gpu": "nvidia-l4", "cold_start": {"image_streaming": True}}) == {}


def _node_config(cold: ColdStartSpec) -> dict[str, Any]:
    text = base64.b64decode(node_user_data(cold) or "").decode()
    part = text.split("Content-Type: application/node.eks.aws\n\n", 1)[1].split("\n--", 1)[0]
    return yaml.safe_load(part)


def test_aws_user_data_is_a_raid0_nodeconfig_only_when_asked() -> None:
    assert node_user_data(ColdStartSpec()) is None and node_user_data(ColdStartSpec(compile_cache=True)) is None
    doc = _node_config(ColdStartSpec(local_nvme=True))
    assert doc["kind"] == "NodeConfig" and doc["spec"] == {"instance": {"localStorage": {"strategy": "RAID0"}}}


def test_fast_image_pull_is_nodeadms_feature_gate() -> None:
    # The gate's name and place are nodeadm's (NodeConfig spec.featureGates, enum InstanceIdNodeName|FastImagePull).
    assert _node_config(ColdStartSpec(fast_image_pull=True))["spec"] == {"featureGates": {"FastImagePull": True}}
    both = _node_config(ColdStartSpec(local_nvme=True, fast_image_pull=True))["spec"]
    assert both == {"instance": {"localStorage": {"strategy": "RAID0"}}, "featureGates": {"FastImagePull": True}}


def test_fast_image_pull_halves_the_pull_only_onto_local_nvme() -> None:
    share = catalog.efficiency().startup.accelerated.parallel_pull_time_share.value
    nvme = startup_estimate(16, "bucket", "aws", local_nvme=True)
    fast = startup_estimate(16, "bucket", "aws", local_nvme=True, fast_image_pull=True)
    assert fast.image_pull_s == pytest.approx(nvme.image_pull_s * share) and fast.image_parallel
    root = startup_estimate(16, "bucket", "aws", fast_image_pull=True)
    assert root.image_pull_s == startup_estimate(16, "bucket", "aws").image_pull_s and not root.image_parallel
    # The probe times the container, after the pull: a faster pull does not shorten it.
    assert fast.probe_budget_s == nvme.probe_budget_s


def test_fast_image_pull_is_checked_against_cloud_and_node_size() -> None:
    found = issues(GCP, {"gpu": "nvidia-l4", "cold_start": {"fast_image_pull": True}})
    assert "nodeadm" in found["environment.node_pools.p.cold_start.fast_image_pull"]
    assert "image_streaming" in found["environment.node_pools.p.cold_start.fast_image_pull"]
    assert issues(AWS, {"gpu": "nvidia-l4", "cold_start": {"fast_image_pull": True, "local_nvme": True}}) == {}
    spec = EnvironmentSpec.model_validate(
        AWS | {"node_pools": {"p": {"gpu": "nvidia-l4", "cold_start": {"fast_image_pull": True}}}}
    )
    root = [w for w in warnings_of(spec) if w.path == "environment.node_pools.p.cold_start.fast_image_pull"]
    assert len(root) == 1 and "local_nvme" in root[0].fix


def test_every_gpu_type_is_big_enough_for_nodeadm_to_pull_in_parallel() -> None:
    # nodeadm silently ignores the gate below its thresholds; no catalog GPU type is that small today, and the
    # validation names the type if one ever is.
    fast = catalog.efficiency().startup.accelerated
    small = [
        name
        for name, itype in catalog.instance_types("aws").items()
        if itype.gpu
        and (
            itype.vcpus < fast.parallel_pull_min_vcpus.value
            or itype.memory_gib < fast.parallel_pull_min_memory_gib.value
        )
    ]
    assert small == []


def test_gke_node_config_follows_the_pool() -> None:
    pool = {"gpu": "nvidia-h100-sxm", "gpus_per_node": 8, "instance_type": "a3-highgpu-8g"}
    spec = EnvironmentSpec.model_validate(GCP | {"node_pools": {"p": pool}})
    assert cold_start_config(plan_gke_gpu_pool(spec, "p")) == {}
    pool["cold_start"] = {"local_nvme": True, "image_streaming": True}
    spec = EnvironmentSpec.model_validate(GCP | {"node_pools": {"p": pool}})
    config = cold_start_config(plan_gke_gpu_pool(spec, "p"))
    # a3-highgpu-8g bundles 6000 GB of local SSD: 16 disks of 375 GB.
    assert config == {"gcfs_config": {"enabled": True}, "ephemeral_storage_local_ssd_config": {"local_ssd_count": 16}}


def _inputs(pool: TargetPool) -> ServiceInputs:
    return ServiceInputs(key="chat", model=chat_model(), pool=pool, store_uri="s3://b", prometheus_url="http://p")


def test_an_accelerated_pool_tunes_the_streamer_and_its_probe_follows() -> None:
    plain, fast = l4_pool(), TargetPool(**{**vars(l4_pool()), "local_nvme": True})
    assert "--model-loader-extra-config" not in vllm_gpu_args(engine_args(_inputs(plain)))
    args = vllm_gpu_args(engine_args(_inputs(fast)))
    extra = json.loads(args[args.index("--model-loader-extra-config") + 1])
    assert extra["concurrency"] == catalog.efficiency().startup.accelerated.streamer_concurrency.value
    assert startup(_inputs(fast)).probe_budget_s < startup(_inputs(plain)).probe_budget_s


def test_the_spec_path_and_the_pod_agree_on_an_accelerated_pool() -> None:
    pool = {"gpu": "nvidia-l4", "max": 1, "cold_start": {"local_nvme": True}}
    model = chat_model().model_dump(mode="json", exclude_none=True) | {"pool": "p"}
    spec = EnvironmentSpec.model_validate(AWS | {"node_pools": {"p": pool}, "models": {"chat": model}})
    fast = TargetPool(**{**vars(l4_pool()), "local_nvme": True})
    assert spec_startups(spec)["chat"].probe_budget_s == startup(_inputs(fast)).probe_budget_s


def test_size_prints_both_paths_and_refuses_an_unknown_one() -> None:
    args = ["size", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "nvidia-l4", "--cloud", "gcp"]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "start-up (default)" in shown.stdout and "start-up (accelerated)" in shown.stdout
    data = json.loads(runner.invoke(app, [*args, "--cold-start", "accelerated", "--json"]).stdout)
    assert data["startup"]["path"] == "accelerated" and set(data["cold_start"]) == {"default", "accelerated"}
    assert data["cold_start"]["accelerated"]["pod_s"] < data["cold_start"]["default"]["pod_s"]
    bad = runner.invoke(app, [*args, "--cold-start", "fast"])
    assert bad.exit_code == 2 and "--cold-start" in bad.output


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_size_accelerated_means_what_the_cloud_offers(cloud: str) -> None:
    fast = startup_estimate(16, "bucket", cloud, **path_accelerators("accelerated", cloud))
    assert fast.image_parallel == (cloud == "aws") and fast.image_lazy == (cloud == "gcp")
    args = ["size", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "nvidia-l4", "--cloud", cloud]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert data["cold_start"]["accelerated"]["image_pull_s"] == round(fast.image_pull_s)


CACHED: dict[str, Any] = {"compile_cache": True}
AWS_FAST: dict[str, Any] = {"local_nvme": True, "fast_image_pull": True}
# The GPU sets the engine's default max_num_seqs, and so the CUDA graphs the warm-up captures.
L4: dict[str, Any] = {"gpu": "nvidia-l4"}
H100: dict[str, Any] = {"gpu": "nvidia-h100-sxm"}
README_ROWS = [
    ("| 8B bf16, 16.1 GB | L4 | default (aws, gcp) |", 16.1, "aws", L4),
    ("| 8B bf16, 16.1 GB | L4, max_num_seqs 32 | default (aws, gcp) |", 16.1, "aws", {**L4, "max_num_seqs": 32}),
    ("| 8B bf16, 16.1 GB | L4 | accelerated, aws (local NVMe", 16.1, "aws", {**AWS_FAST, **CACHED, **L4}),
    (
        "| 8B bf16, 16.1 GB | L4, max_num_seqs 32 | accelerated, aws",
        16.1,
        "aws",
        {**AWS_FAST, **CACHED, **L4, "max_num_seqs": 32},
    ),
    ("| 8B bf16, 16.1 GB | L4 | accelerated, gcp g2", 16.1, "gcp", {"image_streaming": True, **CACHED, **L4}),
    ("| 70B fp8, 70.6 GB | H100 | default (aws, gcp) |", 70.6, "aws", H100),
    ("| 70B fp8, 70.6 GB | H100 | accelerated, aws p5", 70.6, "aws", {**AWS_FAST, **CACHED, **H100}),
    ("| 70B bf16, 141.2 GB | H100 | default (aws, gcp) |", 141.2, "aws", H100),
    ("| 70B bf16, 141.2 GB | H100 | accelerated, aws p5", 141.2, "aws", {**AWS_FAST, **CACHED, **H100}),
    (
        "| 70B bf16, 141.2 GB | H100 | accelerated, gcp a3",
        141.2,
        "gcp",
        {"local_nvme": True, "image_streaming": True, **CACHED, **H100},
    ),
]


@pytest.mark.parametrize(("label", "gb", "cloud", "flags"), README_ROWS)
def test_the_readme_cold_start_table_is_what_the_model_says(label: str, gb: float, cloud: str, flags: Any) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    (row,) = [line for line in readme.splitlines() if line.startswith(label)]
    est = startup_estimate(gb, "bucket", cloud, **flags)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[3:8] == [
        f"{est.image_pull_s:.0f} s",
        f"{est.weight_load_s:.0f} s",
        f"{est.warmup_s:.0f} s",
        f"**{est.pod_s:.0f} s**",
        f"**{est.later_pod_s:.0f} s**",
    ]
    assert cells[9] == f"{est.probe_budget_s} s"


def test_the_readme_says_which_goals_the_planner_meets() -> None:
    goal_70b = startup_estimate(70.6, "bucket", "aws", **AWS_FAST, **CACHED, **H100)
    goal_8b = startup_estimate(16.1, "bucket", "gcp", image_streaming=True, compile_cache=True, **L4)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert goal_70b.pod_s < 180 and f"({goal_70b.pod_s:.0f} s first, {goal_70b.later_pod_s:.0f} s later)" in readme
    assert goal_8b.later_pod_s > 60 and "An 8B replica on L4 is **not** under one minute" in readme


def test_image_streaming_counts_only_for_an_artifact_registry_image() -> None:
    assert streams_image("us-docker.pkg.dev/p/r/vllm-openai:v0.16.0")
    assert not streams_image(None) and not streams_image("docker.io/vllm/vllm-openai:v0.16.0")
    pool = {"gpu": "nvidia-l4", "max": 1, "cold_start": {"image_streaming": True}}
    model = chat_model().model_dump(mode="json", exclude_none=True) | {"pool": "p"}
    mirrored = model | {"image": "us-docker.pkg.dev/p/r/vllm-openai:v0.16.0"}
    spec = EnvironmentSpec.model_validate(GCP | {"node_pools": {"p": pool}, "models": {"a": model, "b": mirrored}})
    pulled, streamed = spec_startups(spec)["a"], spec_startups(spec)["b"]
    assert streamed.image_pull_s < pulled.image_pull_s == startup_estimate(1, "bucket").image_pull_s
    images = [w.path for w in warnings_of(spec) if w.path.endswith(".image")]
    assert images == ["environment.models.a.image"]
