"""Pure GCP decisions: ranges, firewall rules, autoscaling, account ids, endpoint and kubeconfig."""

from __future__ import annotations

import json
import re
from ipaddress import IPv4Network
from itertools import combinations
from typing import Any

import pytest
import yaml

from inferstack.gcp.plan.cluster import cluster_location, cluster_node_locations, private_endpoint, release_channel
from inferstack.gcp.plan.identity import account_id
from inferstack.gcp.plan.kubeconfig import AUTH_PLUGIN, gke_kubeconfig
from inferstack.gcp.plan.network import HEALTH_CHECK_RANGES, WORLD, gpu_node_tag, network_ranges, plan_firewall_rules
from inferstack.gcp.plan.nodes import Accelerators, autoscaling, plan_gke_gpu_pool
from inferstack.planning.subnets import plan_cluster_ranges
from inferstack.spec import EnvironmentSpec
from inferstack.target import SERVING_PORT
from inferstack.validation import check_environment, load_stack_file
from tests.conftest import REPO

GCP_STACKS = ("gcp-dev", "gcp-prod")
ACCOUNT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


def stack(name: str) -> EnvironmentSpec:
    return load_stack_file(REPO / "stacks" / f"Pulumi.{name}.yaml")


def gcp_spec(**overrides: Any) -> EnvironmentSpec:
    data: dict[str, Any] = {
        "name": "t",
        "cloud": "gcp",
        "region": "us-central1",
        "zones": ["us-central1-a", "us-central1-b"],
        "network": {"cidr": "10.60.0.0/16", "api_access": ["203.0.113.0/24"]},
        "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 2, "capacity": "spot"}},
    }
    data.update(overrides)
    spec = EnvironmentSpec.model_validate(data)
    assert check_environment(spec) == []
    return spec


SPECS = {name: stack(name) for name in GCP_STACKS} | {
    "services-elsewhere": gcp_spec(network={"cidr": "10.8.0.0/20", "services_cidr": "192.168.0.0/20"}),
    "private": gcp_spec(security_profile="private", network={"cidr": "10.9.0.0/16"}),
}


@pytest.mark.parametrize("key", sorted(SPECS))
def test_ranges_take_nodes_and_pods_from_the_planner_and_services_from_the_spec(key: str) -> None:
    spec = SPECS[key]
    ranges = network_ranges(spec)
    planned = plan_cluster_ranges(spec.network.cidr)
    assert (ranges.nodes, ranges.pods) == (planned.nodes, planned.pods)
    assert ranges.services == spec.network.services_cidr
    for first, second in combinations((ranges.nodes, ranges.pods, ranges.services), 2):
        assert not first.overlaps(second)


@pytest.mark.parametrize("key", sorted(SPECS))
def test_no_allow_rule_admits_the_world_or_any_unknown_range(key: str) -> None:
    spec = SPECS[key]
    ranges = network_ranges(spec)
    known = {ranges.nodes, ranges.pods, *HEALTH_CHECK_RANGES}
    for rule in plan_firewall_rules(spec):
        assert rule.description
        if rule.action == "allow":
            assert set(rule.source_ranges) <= known, rule.key
            assert all(not source.overlaps(IPv4Network("8.8.8.8/32")) for source in rule.source_ranges)


@pytest.mark.parametrize("key", sorted(SPECS))
def test_default_deny_loses_to_every_allow(key: str) -> None:
    rules = plan_firewall_rules(SPECS[key])
    (deny,) = [rule for rule in rules if rule.action == "deny"]
    assert deny.source_ranges == (WORLD,) and deny.protocols == (("all", ()),)
    assert all(rule.priority < deny.priority for rule in rules if rule.action == "allow")


def test_health_checks_reach_only_the_serving_port_on_gpu_nodes() -> None:
    spec = SPECS["gcp-dev"]
    (rule,) = [rule for rule in plan_firewall_rules(spec) if set(rule.source_ranges) & set(HEALTH_CHECK_RANGES)]
    assert set(rule.source_ranges) == {IPv4Network("35.191.0.0/16"), IPv4Network("130.211.0.0/22")}
    assert rule.protocols == (("tcp", (str(SERVING_PORT),)),)
    assert rule.target_tags == (gpu_node_tag(spec),)


@pytest.mark.parametrize(
    "parts",
    [("dev", "nodes"), ("a", "b"), ("x" * 20, "y" * 20, "read"), ("team-platform-prod", "summarizer-v2", "read")],
)
def test_account_ids_are_valid_and_stable(parts: tuple[str, ...]) -> None:
    value = account_id(*parts)
    assert ACCOUNT_ID.match(value), value
    assert value == account_id(*parts)


def test_shortened_account_ids_stay_distinct() -> None:
    env = "x" * 20
    ids = {account_id(env, f"model{index:02d}", "read") for index in range(50)}
    assert len(ids) == 50


@pytest.mark.parametrize(
    ("low", "high", "zones"), [(0, 2, 1), (1, 2, 3), (2, 3, 3), (2, 3, 2), (3, 9, 3), (4, 4, 3), (1, 1, 1)]
)
def test_start_count_spreads_evenly_within_the_total_bounds(low: int, high: int, zones: int) -> None:
    result = autoscaling(low, high, zones, spot=False)
    assert (result.total_min, result.total_max) == (low, high)
    assert result.initial_per_zone * zones <= high
    if -(-low // zones) * zones <= high:
        assert result.initial_per_zone * zones >= low


@pytest.mark.parametrize(
    ("overrides", "private"),
    [
        ({}, False),
        ({"security_profile": "private", "network": {"cidr": "10.9.0.0/16"}}, True),
        ({"network": {"cidr": "10.9.0.0/16", "api_access": []}}, True),
    ],
)
def test_private_endpoint_follows_profile_and_api_access(overrides: dict[str, Any], private: bool) -> None:
    assert private_endpoint(gcp_spec(**overrides)) is private


def test_zonal_cluster_lives_in_its_zone_and_regional_in_the_region() -> None:
    zonal = SPECS["gcp-dev"]
    assert cluster_location(zonal) == "us-central1-a" and cluster_node_locations(zonal) is None
    regional = SPECS["gcp-prod"]
    assert cluster_location(regional) == "us-central1"
    assert cluster_node_locations(regional) == ["us-central1-a", "us-central1-b", "us-central1-c"]
    assert release_channel(gcp_spec()) == "REGULAR"


def test_gpu_pool_uses_only_zones_that_offer_its_type() -> None:
    spec = gcp_spec(
        zones=["us-central1-a", "us-central1-f"],
        node_pools={"a100": {"gpu": "nvidia-a100-40gb", "gpus_per_node": 1, "max": 1}},
    )
    plan = plan_gke_gpu_pool(spec, "a100")
    assert plan.machine_type == "a2-highgpu-1g" and plan.accelerators == Accelerators("nvidia-tesla-a100", 1)
    assert plan.zones == ("us-central1-a", "us-central1-f")
    spec = gcp_spec(zones=["us-central1-a", "us-central1-f"])
    assert plan_gke_gpu_pool(spec, "l4").zones == ("us-central1-a",)


def test_kubeconfig_uses_the_auth_plugin_and_holds_no_credential() -> None:
    text = gke_kubeconfig("dev", "34.1.2.3", "Q0VSVA==")
    config = yaml.safe_load(text)
    assert json.loads(text) == config
    (cluster,) = config["clusters"]
    assert cluster["cluster"] == {"server": "https://34.1.2.3", "certificate-authority-data": "Q0VSVA=="}
    (user,) = config["users"]
    assert user["user"]["exec"]["command"] == AUTH_PLUGIN
    assert set(user["user"]) == {"exec"}
    assert config["current-context"] == "dev"
