"""The cost model prices hand-built Plans (engine camelCase inputs) at min and max scale."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack import catalog
from inferstack.infra.offline.plan import PlannedResource
from inferstack.planning.cost import HOURS_PER_MONTH, price_plan


def res(type_token: str, name: str, **inputs: Any) -> PlannedResource:
    return PlannedResource(
        urn=f"urn:{name}", type=type_token, name=name, parent=None, custom=True, id=name, inputs=inputs
    )


AWS_PLAN = [
    res("aws:eks/cluster:Cluster", "dev-cluster"),
    res("aws:ec2/natGateway:NatGateway", "dev-nat"),
    res(
        "aws:eks/nodeGroup:NodeGroup",
        "dev-l4",
        instanceTypes=["g6.xlarge"],
        capacityType="SPOT",
        scalingConfig={"minSize": 0.0, "maxSize": 2.0, "desiredSize": 0.0},
        diskSize=200.0,
    ),
    res(
        "aws:eks/nodeGroup:NodeGroup",
        "dev-system",
        instanceTypes=["m6i.large"],
        scalingConfig={"minSize": 2.0, "maxSize": 3.0, "desiredSize": 2.0},
    ),
    res("aws:s3/bucketV2:BucketV2", "dev-models"),
    res("kubernetes:core/v1:Service", "chat-lb", spec={"type": "LoadBalancer"}),
    res("kubernetes:core/v1:Service", "chat", spec={"type": "ClusterIP"}),
    res("aws:ec2/vpc:Vpc", "dev-vpc", cidrBlock="10.0.0.0/16"),
]


def by_name(report, name: str):
    return [row for row in report.rows if row.resource == name]


def test_aws_plan_is_priced_per_resource_at_min_and_max() -> None:
    report = price_plan(AWS_PLAN, cloud="aws", region="us-east-1", bucket_gb=100)
    offer = catalog.instance_types("aws")["g6.xlarge"].regions["us-east-1"]
    assert offer.spot_usd_per_hour is not None
    (gpu, disk) = by_name(report, "dev-l4")
    assert gpu.unit_usd == offer.spot_usd_per_hour and "spot" in gpu.item
    assert (gpu.monthly_min, gpu.monthly_max) == (0, pytest.approx(2 * offer.spot_usd_per_hour * HOURS_PER_MONTH))
    assert disk.quantity_max == 400 and disk.unit == "GB-month"
    (system, volumes) = by_name(report, "dev-system")
    assert "on-demand" in system.item and system.quantity_min == 2 and system.quantity_max == 3
    # No diskSize and no launch template in this plan: the root volumes are shown unpriced, never dropped.
    assert volumes.monthly_max == 0 and "launch template not in the plan" in volumes.warning
    (control,) = by_name(report, "dev-cluster")
    assert control.monthly_max == pytest.approx(73.0)
    assert sum(r.monthly_max for r in by_name(report, "dev-nat")) == pytest.approx(0.045 * 730)
    (bucket,) = by_name(report, "dev-models")
    assert bucket.monthly_max == pytest.approx(2.3)
    assert len(by_name(report, "chat-lb")) == 1 and not by_name(report, "chat") and not by_name(report, "dev-vpc")
    assert report.monthly_min < report.monthly_max
    assert all(row.as_of for row in report.rows)


def test_json_form_has_totals_and_dates() -> None:
    data = price_plan(AWS_PLAN, cloud="aws", region="us-east-1").to_dict()
    assert data["hours_per_month"] == 730 and data["monthly_usd"]["min"] <= data["monthly_usd"]["max"]
    assert data["prices_as_of"] and data["rows"][0]["as_of"]


def test_unknown_type_or_region_is_flagged_not_guessed() -> None:
    plan = [
        res("aws:eks/nodeGroup:NodeGroup", "x", instanceTypes=["zz9.huge"], scalingConfig={"minSize": 1, "maxSize": 1})
    ]
    (row, _volumes) = price_plan(plan, cloud="aws", region="us-east-1").rows
    assert row.monthly_max == 0 and "not priced" in row.warning


def test_spot_without_a_recorded_price_falls_back_to_on_demand_with_a_warning() -> None:
    plan = [
        res(
            "gcp:container/nodePool:NodePool",
            "l4",
            nodeConfig={"machineType": "a2-ultragpu-1g", "spot": True},
            autoscaling={"minNodeCount": 0, "maxNodeCount": 2},
        )
    ]
    vm, _disk = price_plan(plan, cloud="gcp", region="us-central1", default_zones=1).rows
    offer = catalog.instance_types("gcp")["a2-ultragpu-1g"].regions["us-central1"]
    assert offer.spot_usd_per_hour is None, "the catalog must hold a GPU type without a spot price for this test"
    assert vm.unit_usd == offer.on_demand_usd_per_hour
    assert "on-demand" in vm.warning


def test_gcp_plan_prices_cluster_fee_and_cloud_nat_per_vm() -> None:
    plan = [
        res("gcp:container/cluster:Cluster", "c"),
        res(
            "gcp:container/nodePool:NodePool",
            "sys",
            nodeConfig={"machineType": "e2-standard-4", "diskSizeGb": 50},
            autoscaling={"minNodeCount": 2, "maxNodeCount": 3},
        ),
        res("gcp:compute/routerNat:RouterNat", "nat"),
        res("gcp:storage/bucket:Bucket", "b"),
    ]
    report = price_plan(plan, cloud="gcp", region="us-central1", bucket_gb=10, default_zones=1)
    nat = by_name(report, "nat")[0]
    assert (nat.quantity_min, nat.quantity_max) == (2, 3)
    assert by_name(report, "c")[0].monthly_max == pytest.approx(73.0)
    assert by_name(report, "sys")[1].quantity_max == 150


def test_an_existing_cluster_is_not_priced() -> None:
    report = price_plan(AWS_PLAN, cloud="kubernetes", region=None)
    assert report.rows == [] and report.notes


def test_resources_of_another_cloud_are_not_priced() -> None:
    from inferstack.infra.offline.plan import PlannedResource
    from inferstack.planning.cost import price_plan

    gke = PlannedResource(
        "urn:x", "gcp:container/cluster:Cluster", "gke", None, True, "gke", {"location": "us-central1"}
    )
    report = price_plan([gke], cloud="aws", region="us-east-1")
    assert report.rows == []


@pytest.mark.parametrize(
    ("service", "rows"),
    [({"type": "LoadBalancer"}, 1), ({}, 1), ({"type": "ClusterIP"}, 0)],
    ids=["load-balancer", "envoy-gateway-default", "cluster-only"],
)
def test_the_gateway_load_balancer_is_priced_from_its_envoy_proxy(service: dict[str, Any], rows: int) -> None:
    proxy = res(
        "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
        "prod-gateway",
        spec={"provider": {"kubernetes": {"envoyService": service}}},
    )
    report = price_plan([proxy], cloud="aws", region="us-east-1")
    priced = by_name(report, "prod-gateway")
    assert len(priced) == rows
    if rows:
        hourly = catalog.service_prices("aws")["load_balancer"].usd
        assert priced[0].monthly_min == priced[0].monthly_max == pytest.approx(hourly * HOURS_PER_MONTH)
