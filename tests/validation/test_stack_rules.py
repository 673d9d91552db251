"""Rules a stack must satisfy that once let a stack validate and then fail to plan: each with its exact message."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from inferstack import catalog
from inferstack.spec import SpecError
from inferstack.validation import load_stack_file, parse_environment
from tests.conftest import shipped_stacks


def document(stack: str) -> dict[str, Any]:
    """A fresh copy of a shipped stack's environment document."""
    data = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))
    return copy.deepcopy(data["config"]["inferstack:environment"])


def problems(doc: dict[str, Any], stack: str = "dev") -> list[str]:
    """Every issue of a document, as printed."""
    with pytest.raises(SpecError) as raised:
        parse_environment(doc, stack)
    return [str(issue) for issue in raised.value.issues]


SHAPE = {
    "params_b": 7.6,
    "layers": 28,
    "hidden_size": 3584,
    "attention_heads": 28,
    "kv_heads": 4,
    "vocab_size": 152064,
    "context": 32768,
}


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-dev"])
def test_an_empty_zone_list_is_refused_on_the_environment_and_on_a_pool(stack: str) -> None:
    doc = document(stack)
    doc["zones"] = []
    pool = next(iter(doc["node_pools"]))
    doc["node_pools"][pool]["zones"] = []
    assert problems(doc) == [
        f"environment.node_pools.{pool}.zones: is empty — list at least one, or leave it out for the default "
        "(Zones for this pool, a subset of the environment's; default: all of them.)",
        "environment.zones: is empty — list at least one, or leave it out for the default "
        "(Zones to use (AWS zone IDs like use1-az1, GCP zone names); default: the region's first two.)",
    ]


@pytest.mark.parametrize("stack", ["local", "aws-dev"])
def test_an_unknown_shape_key_is_refused_on_every_cloud(stack: str) -> None:
    doc = document(stack)
    model = next(iter(doc["models"]))
    doc["models"][model]["shape"] = "qwen2.5-7bb"
    assert problems(doc) == [
        f"environment.models.{model}.shape: unknown model shape 'qwen2.5-7bb' — "
        "did you mean qwen2.5-7b, qwen2.5-72b, qwen2.5-3b?"
    ]


def test_an_unknown_shape_with_tensor_parallel_auto_is_an_error_not_a_traceback() -> None:
    doc = document("aws-dev")
    doc["models"]["chat"] |= {"shape": "nope", "tensor_parallel": "auto"}
    shape, tp = problems(doc)
    assert shape.startswith("environment.models.chat.shape: unknown model shape 'nope' — choose one of: ")
    assert "llama-3.1-405b" in shape and "qwen2.5-7b" in shape, "every catalog shape is listed"
    assert tp == (
        "environment.models.chat.tensor_parallel: tensor_parallel: auto needs a known model shape and a catalog pool"
        " — set a number"
    )


def test_more_active_parameters_than_parameters_is_refused() -> None:
    doc = document("aws-dev")
    doc["models"]["chat"]["shape"] = {**SHAPE, "active_params_b": 8}
    assert problems(doc) == [
        "environment.models.chat.shape.active_params_b: 8B active parameters are more than the 7.6B in total — "
        "active_params_b counts the parameters used per token (MoE): at most params_b, or leave it out"
    ]


@pytest.mark.parametrize(("heads", "kv"), [(28, 5), (4, 8)])
def test_kv_heads_must_divide_the_attention_heads(heads: int, kv: int) -> None:
    doc = document("local")
    doc["models"]["tiny"]["shape"] = {**SHAPE, "attention_heads": heads, "kv_heads": kv}
    assert problems(doc) == [
        f"environment.models.tiny.shape.kv_heads: {kv} KV heads do not divide the {heads} attention heads — "
        "copy num_key_value_heads and num_attention_heads from the model's config.json"
    ]


def test_an_inline_shape_needs_a_hidden_size_of_at_least_one_per_head() -> None:
    doc = document("local")
    doc["models"]["tiny"]["shape"] = {**SHAPE, "hidden_size": 16}
    assert problems(doc) == [
        "environment.models.tiny.shape.hidden_size: 16 is smaller than the 28 attention heads — "
        "copy hidden_size from the model's config.json, or give head_dim"
    ]


def test_a_consistent_inline_shape_is_valid_on_kubernetes() -> None:
    doc = document("local")
    doc["models"]["tiny"]["shape"] = {**SHAPE, "active_params_b": 7.6}
    assert parse_environment(doc, "local").models["tiny"].shape is not None


ACCOUNT = "arn:aws:iam::123456789012"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (f"{ACCOUNT}:role/Platform-Admins", f"{ACCOUNT}:role/platform-admins"),  # case
        (f"{ACCOUNT}:role/platform.admins", f"{ACCOUNT}:role/platform_admins"),  # punctuation
        (f"{ACCOUNT}:role/team-a/admins", f"{ACCOUNT}:role/team-b/admins"),  # IAM path
        (f"{ACCOUNT}:role/admins", "arn:aws:iam::210987654321:role/admins"),  # account
    ],
)
def test_two_aws_admins_that_derive_one_access_entry_name_are_refused(first: str, second: str) -> None:
    doc = document("aws-dev")
    doc["cluster"] = {"admins": [first, second]}
    name = "role-" + first.rsplit("/", 1)[-1].lower().replace(".", "-").replace("_", "-")
    assert problems(doc) == [
        f"environment.cluster.admins[1]: {second!r} and {first!r} (at environment.cluster.admins[0]) both name the "
        f"EKS access entry {name!r} — list each principal once; two roles with one name (in another path or account) "
        "need one of them renamed"
    ]


def test_an_aws_admin_listed_twice_is_refused_with_both_paths() -> None:
    doc = document("aws-dev")
    doc["cluster"] = {"admins": [f"{ACCOUNT}:role/admins", f"{ACCOUNT}:user/ci", f"{ACCOUNT}:role/admins"]}
    assert problems(doc) == [
        f"environment.cluster.admins[2]: {ACCOUNT}:role/admins is listed twice (also at environment.cluster.admins[0])"
        " — list each admin once"
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("user:ml@example.com", "serviceAccount:ml@example.com"),
        ("user:Ml@example.com", "user:ml@example.com"),
        ("user:m.l@example.com", "user:m-l@example.com"),
    ],
)
def test_two_gcp_admins_that_are_one_kubernetes_user_or_name_are_refused(first: str, second: str) -> None:
    doc = document("gcp-dev")
    doc["cluster"] = {**doc["cluster"], "admins": [first, second]}
    name = first.split(":", 1)[1].lower().replace("@", "-at-").replace(".", "-")
    assert problems(doc) == [
        f"environment.cluster.admins[1]: {second!r} and {first!r} (at environment.cluster.admins[0]) both name the "
        f"GKE admin {name!r} — list each email once (GKE knows a user and a service account by the email alone)"
    ]


def test_aws_pool_labels_that_name_one_autoscaler_tag_are_refused() -> None:
    doc = document("aws-dev")
    doc["node_pools"]["l4"]["labels"] = {"team.name": "a", "team-name": "b"}
    assert problems(doc) == [
        "environment.node_pools.l4.labels.team-name: 'team-name' and 'team.name' (at "
        "environment.node_pools.l4.labels.team.name) both name the autoscaler node-template tag 'label-team-name' — "
        "rename one label: keys that differ only in case or punctuation name one tag"
    ]


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-dev"])
def test_a_pool_label_may_not_overwrite_inferstacks_own(stack: str) -> None:
    doc = document(stack)
    pool = next(iter(doc["node_pools"]))
    doc["node_pools"][pool]["labels"] = {"inferstack.dev/pool": "other"}
    assert problems(doc) == [
        f"environment.node_pools.{pool}.labels.inferstack.dev/pool: inferstack.dev/pool is set by inferstack on every "
        "GPU node — use a label of your own"
    ]


def test_an_aws_zone_name_gets_the_zone_id_explanation() -> None:
    doc = document("aws-dev")
    doc["region"] = "us-east-2"
    doc["zones"] = ["us-east-2a", "use2-az2"]
    assert problems(doc) == [
        "environment.zones[0]: 'us-east-2a' is a zone name; inferstack uses AWS zone IDs (like use2-az1) because AWS "
        "maps zone names to different physical zones in every account — use zones of us-east-2: use2-az1, use2-az2, "
        "use2-az3 (`aws ec2 describe-availability-zones --region us-east-2` shows which ID each name is in your "
        "account)"
    ]


def test_a_pool_zone_name_gets_the_zone_id_explanation_too() -> None:
    doc = document("aws-dev")
    doc["node_pools"]["l4"]["zones"] = ["us-east-1a"]
    assert any(
        issue.startswith(
            "environment.node_pools.l4.zones[0]: 'us-east-1a' is a zone name; inferstack uses AWS zone IDs"
        )
        for issue in problems(doc)
    )


def test_a_zone_of_another_region_says_where_it_is() -> None:
    doc = document("aws-dev")
    doc["zones"] = ["use1-az1", "use2-az1"]
    assert problems(doc) == [
        "environment.zones[1]: zone 'use2-az1' is in us-east-2, not in us-east-1 — use zones of us-east-1: "
        + ", ".join(catalog.regions("aws")["us-east-1"].zones)
    ]


def test_a_region_the_catalog_lacks_says_so() -> None:
    doc = document("gcp-dev")
    doc["region"] = "mars-north1"
    assert problems(doc)[0].startswith(
        "environment.region: 'mars-north1' is not in inferstack's catalog of gcp regions — "
    )


def test_a_gpu_missing_in_the_region_names_the_gpu_field_what_is_there_and_where_it_is() -> None:
    doc = document("gcp-dev")
    doc |= {"region": "us-east1", "zones": ["us-east1-b"]}
    doc["node_pools"]["l4"] = {"gpu": "nvidia-h100-sxm", "gpus_per_node": 8}
    doc["models"] = {}
    assert problems(doc) == [
        "environment.node_pools.l4.gpu: nvidia-h100-sxm is not offered in us-east1 (inferstack's catalog) — GPUs in "
        "us-east1: nvidia-a100-40gb, nvidia-b200, nvidia-l4; or set region to one with nvidia-h100-sxm: "
        "asia-northeast1, asia-southeast1, europe-west1, europe-west4, us-central1, us-east4, us-west1"
    ]


def test_a_type_the_catalog_lacks_says_so() -> None:
    doc = document("aws-dev")
    doc["node_pools"]["l4"]["instance_type"] = "g9.mega"
    assert problems(doc)[0].startswith(
        "environment.node_pools.l4.instance_type: 'g9.mega' is not in inferstack's catalog of aws types — "
    )


def stack_file(tmp_path: Path, stack: str, **config: object) -> Path:
    """A copy of a shipped stack file with its provider config keys replaced (None removes one)."""
    data = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))
    for key, value in config.items():
        key = key.replace("_", ":", 1)
        if value is None:
            data["config"].pop(key, None)
        else:
            data["config"][key] = value
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def file_problems(path: Path) -> list[str]:
    """Every issue of a stack file, as printed."""
    with pytest.raises(SpecError) as raised:
        load_stack_file(path)
    return [str(issue) for issue in raised.value.issues]


@pytest.mark.parametrize(
    ("stack", "key", "spec_region"), [("aws-dev", "aws", "us-east-1"), ("gcp-dev", "gcp", "us-central1")]
)
def test_a_provider_region_other_than_the_specs_is_refused(
    tmp_path: Path, stack: str, key: str, spec_region: str
) -> None:
    path = stack_file(tmp_path, stack, **{f"{key}_region": "europe-west4"})
    assert file_problems(path) == [
        f"config.{key}:region: is 'europe-west4', the environment's region is {spec_region!r}: the provider would "
        f"create everything in the other region — set {key}:region: {spec_region} (or remove it)"
    ]


def test_cloud_gcp_needs_a_project_in_the_stack_config(tmp_path: Path) -> None:
    path = stack_file(tmp_path, "gcp-dev", gcp_project=None)
    assert file_problems(path) == [
        "config.gcp:project: is required for cloud: gcp (the project every resource is created in) — add "
        "gcp:project: <your-project-id> under config: in the stack file, or run `pulumi config set gcp:project "
        "<your-project-id>`"
    ]


def test_the_provider_region_may_be_left_out(tmp_path: Path) -> None:
    assert load_stack_file(stack_file(tmp_path, "aws-dev", aws_region=None)).region == "us-east-1"


def test_validate_exits_2_on_a_region_mismatch(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from inferstack.infra.cli.app import app

    result = CliRunner().invoke(app, ["validate", str(stack_file(tmp_path, "aws-dev", aws_region="us-west-2"))])
    assert result.exit_code == 2, result.output
    assert "config.aws:region" in result.output and "Traceback" not in result.output
