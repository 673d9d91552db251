"""Bad stack files: every problem is reported at once, with its YAML path and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from inferstack.planning.spec_serving import model_store_kind
from inferstack.spec import EnvironmentSpec, SpecError
from inferstack.validation import check_spec, load_stack_file, parse_environment
from tests.conftest import FIXTURES

# Each broken fixture and the exact set of paths it must report.
EXPECTED_PATHS = {
    "broken-aws": {
        "environment.zones[1]",
        "environment.network.services_cidr",
        "environment.network.api_access[0]",
        "environment.node_pools.l4.max",
        "environment.node_pools.h100.instance_type",
        "environment.node_pools.mystery.gpu",
        "environment.models.chat.tensor_parallel",
        "environment.models.chat.image",
        "environment.models.chat.replicas.max",
        "environment.models.orphan.pool",
    },
    "broken-fields": {
        "environment.cloud",
        "environment.regoin",
        "environment.network.cidr",
        "environment.network.nat",
        "environment.node_pools.L4",
        "environment.node_pools.L4.max",
        "environment.models.chat.source",
        "environment.models.chat.replicas.min",
        "environment.models.chat.gpu_memory_utilization",
    },
    "broken-gcp": {
        "environment.tags.Team",
        "environment.network.nat",
        "environment.network.cidr",
        "environment.cluster.kubeconfig_context",
        "environment.node_pools.l4.gpus_per_node",
        "environment.models.chat.engine",
    },
    "broken-local": {
        "environment.region",
        "environment.cluster.release_channel",
        "environment.model_store.bucket",
        # engine: vllm (the default) runs on described GPU nodes; the pool it names is not described.
        "environment.models.tiny.pool",
    },
}


def broken(name: str) -> Path:
    return FIXTURES / f"Pulumi.{name}.yaml"


@pytest.mark.parametrize("name", sorted(EXPECTED_PATHS))
def test_broken_fixture_reports_every_problem(name: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_stack_file(broken(name))
    assert {issue.path for issue in caught.value.issues} == EXPECTED_PATHS[name]
    assert all(issue.message for issue in caught.value.issues)


def test_message_names_path_value_and_fix() -> None:
    with pytest.raises(SpecError) as caught:
        load_stack_file(broken("broken-aws"))
    lines = str(caught.value).splitlines()
    assert "environment.node_pools.l4.max: must be ≥ min (got 1 < 2) — raise max or lower min" in [
        line.strip() for line in lines
    ]
    assert lines[0].endswith("10 problems in the environment spec:")


def test_unknown_field_lists_the_allowed_ones() -> None:
    with pytest.raises(SpecError) as caught:
        load_stack_file(broken("broken-fields"))
    (issue,) = [i for i in caught.value.issues if i.path == "environment.regoin"]
    assert "region" in issue.fix and "unknown field" in issue.message


@pytest.mark.parametrize(
    ("patch", "path", "fragment"),
    [
        ({"network": {"nat": "per_zone"}, "zones": ["use1-az1"]}, "environment.zones", "at least 2 zones"),
        ({"network": {"cidr": "10.0.0.0/24"}}, "environment.network.cidr", "too small"),
        ({"network": {"cidr": "8.8.0.0/16"}}, "environment.network.cidr", "not a private range"),
        ({"region": "us-east-9"}, "environment.region", "is not in inferstack's catalog of aws regions"),
        ({"security_profile": "private"}, "environment.network.api_access", "private profile"),
        (
            {"node_pools": {"l4": {"gpu": "nvidia-l4", "instance_type": "g6.xlarge", "zones": ["use1-az6"]}}},
            "environment.node_pools.l4.zones[0]",
            "not one of the environment's zones",
        ),
        (
            {"cluster": {"system_pool": {"instance_type": "g6.xlarge"}}},
            "environment.cluster.system_pool.instance_type",
            "has GPUs",
        ),
        ({"cluster": {"location": "zonal"}}, "environment.cluster.location", "GCP only"),
    ],
)
def test_single_mistakes(patch: dict[str, object], path: str, fragment: str) -> None:
    document: dict[str, object] = {
        "cloud": "aws",
        "region": "us-east-1",
        "network": {"api_access": ["203.0.113.0/24"]},
        "node_pools": {"l4": {"gpu": "nvidia-l4"}},
        "models": {
            "chat": {
                "source": "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28",
                "pool": "l4",
            }
        },
    }
    document.update(patch)
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "dev")
    matching = [issue for issue in caught.value.issues if issue.path == path]
    assert matching, f"expected an issue at {path}, got {caught.value}"
    assert fragment in str(matching[0])


def test_name_defaults_to_the_stack_name_and_must_be_valid() -> None:
    assert parse_environment({"cloud": "kubernetes", "model_store": {"bucket": False}}, "dev").name == "dev"
    with pytest.raises(SpecError, match="set name:"):
        parse_environment({"cloud": "kubernetes", "model_store": {"bucket": False}}, "Prod_EU")


def test_specs_built_in_code_get_the_same_checks() -> None:
    spec = EnvironmentSpec(name="dev", cloud="aws", region="us-east-1")
    with pytest.raises(SpecError, match=r"at least 2 zones"):
        check_spec(spec.model_copy(update={"zones": ["use1-az1"]}))
    assert check_spec(spec) is spec


def test_an_existing_cluster_needs_no_bucket_line() -> None:
    # The bucket default means "the cloud's bucket": a kubernetes stack that leaves it out reads weights from its
    # local cache volume; only an explicit `bucket: true` is refused (found by tests/bench/semantic_fuzz.py).
    spec = parse_environment({"cloud": "kubernetes"}, "dev")
    assert model_store_kind(spec) == "local"
    with pytest.raises(SpecError, match="creates no cloud bucket"):
        parse_environment({"cloud": "kubernetes", "model_store": {"bucket": True}}, "dev")
