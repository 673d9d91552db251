"""Bad GCP input is a SpecIssue with its YAML path: types, GPUs and counts not offered, admins, AWS-only fields."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.spec import EnvironmentSpec
from inferstack.validation import check_environment

BASE: dict[str, Any] = {
    "name": "t",
    "cloud": "gcp",
    "region": "us-central1",
    "zones": ["us-central1-a", "us-central1-b"],
    "node_pools": {"p": {"gpu": "nvidia-l4", "max": 1}},
}


def issues(**changes: Any) -> dict[str, str]:
    spec = EnvironmentSpec.model_validate(BASE | changes)
    return {issue.path: f"{issue.message} — {issue.fix}" for issue in check_environment(spec)}


def test_the_base_spec_is_valid() -> None:
    assert issues() == {}


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        # Machine type not offered in the region (a2-ultragpu only in us-central1).
        (
            {
                "region": "us-east1",
                "zones": ["us-east1-b"],
                "node_pools": {"p": {"gpu": "nvidia-a100-80gb", "instance_type": "a2-ultragpu-1g"}},
            },
            "environment.node_pools.p.instance_type",
            "not offered in us-east1",
        ),
        # GPU not offered in the region at all.
        (
            {
                "region": "us-east1",
                "zones": ["us-east1-b"],
                "node_pools": {"p": {"gpu": "nvidia-h100-sxm", "gpus_per_node": 8}},
            },
            "environment.node_pools.p.gpu",
            "not offered in us-east1",
        ),
        # GPU offered in the region but not in the pool's zones (no L4 in us-central1-f).
        (
            {"zones": ["us-central1-f"], "cluster": {"location": "zonal"}},
            "environment.node_pools.p.gpu",
            "offered in none of the zones us-central1-f",
        ),
        (
            {
                "node_pools": {"p": {"gpu": "nvidia-a100-40gb", "zones": ["us-central1-b"]}},
                "region": "us-east1",
                "zones": ["us-east1-b", "us-east1-c"],
            },
            "environment.node_pools.p.zones[0]",
            "not one of the environment's zones",
        ),
        # GPU count no machine type has.
        (
            {"node_pools": {"p": {"gpu": "nvidia-l4", "gpus_per_node": 3}}},
            "environment.node_pools.p.gpus_per_node",
            "comes in 1, 2, 4, 8",
        ),
        # GPU count the named machine type does not have.
        (
            {"node_pools": {"p": {"gpu": "nvidia-l4", "gpus_per_node": 2, "instance_type": "g2-standard-8"}}},
            "environment.node_pools.p.instance_type",
            "g2-standard-8 has 1× nvidia-l4",
        ),
        # An AWS instance type on GCP.
        (
            {"node_pools": {"p": {"gpu": "nvidia-l4", "instance_type": "g6.xlarge"}}},
            "environment.node_pools.p.instance_type",
            "is not in inferstack's catalog of gcp types",
        ),
        (
            {"cluster": {"admins": ["arn:aws:iam::123456789012:role/admins"]}},
            "environment.cluster.admins[0]",
            "not a GCP IAM member",
        ),
        ({"cluster": {"admins": ["group:ml@example.com"]}}, "environment.cluster.admins[0]", "Google Groups"),
        (
            {"cluster": {"admins": ["user:a@example.com", "user:a@example.com"]}},
            "environment.cluster.admins[1]",
            "listed twice",
        ),
        ({"network": {"nat": "per_zone"}}, "environment.network.nat", "AWS only"),
    ],
)
def test_bad_gcp_input_names_its_path(changes: dict[str, Any], path: str, words: str) -> None:
    found = issues(**changes)
    assert path in found, found
    assert words in found[path]


def test_valid_admins_pass() -> None:
    admins = ["user:alice@example.com", "serviceAccount:ci@proj.iam.gserviceaccount.com"]
    assert issues(cluster={"admins": admins}) == {}


def test_gcp_only_cluster_fields_are_rejected_elsewhere() -> None:
    spec = EnvironmentSpec.model_validate(
        BASE
        | {
            "cloud": "aws",
            "region": "us-east-1",
            "zones": ["use1-az1", "use1-az2"],
            "cluster": {"release_channel": "stable", "location": "zonal"},
        }
    )
    paths = {issue.path for issue in check_environment(spec)}
    assert {"environment.cluster.release_channel", "environment.cluster.location"} <= paths
