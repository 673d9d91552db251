"""Root volumes, interface endpoints, public IPv4, per-region prices and the replicas.min floor, priced exactly.

Expected numbers are computed here from the catalog's unit prices, not by calling the cost model again.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inferstack import catalog
from inferstack.infra.offline.plan import PlannedResource
from inferstack.planning.cost import HOURS_PER_MONTH, NodeFloor, price_plan

H = HOURS_PER_MONTH


def res(type_token: str, name: str, ident: str | None = None, **inputs: Any) -> PlannedResource:
    return PlannedResource(
        urn=f"urn:{name}", type=type_token, name=name, parent=None, custom=True, id=ident or name, inputs=inputs
    )


def aws(key: str) -> float:
    return catalog.service_prices("aws")[key].usd


def on_demand(cloud: str, machine: str, region: str) -> float:
    return catalog.instance_types(cloud)[machine].regions[region].on_demand_usd_per_hour


def template(name: str, ident: str, *volumes: tuple[float, str]) -> PlannedResource:
    mappings = [
        {"deviceName": f"/dev/xvd{i}", "ebs": {"volumeSize": gb, "volumeType": kind}}
        for i, (gb, kind) in enumerate(volumes)
    ]
    return res("aws:ec2/launchTemplate:LaunchTemplate", name, ident, blockDeviceMappings=mappings)


def group(name: str, template_id: str, low: float, high: float, itype: str = "p5.48xlarge") -> PlannedResource:
    return res(
        "aws:eks/nodeGroup:NodeGroup",
        name,
        instanceTypes=[itype],
        capacityType="ON_DEMAND",
        scalingConfig={"minSize": low, "maxSize": high, "desiredSize": low},
        launchTemplate={"id": template_id, "version": "1"},
    )


def rows_of(report, name: str):
    return [row for row in report.rows if row.resource == name]


def test_eks_root_volumes_come_from_the_launch_template_the_group_names() -> None:
    plan = [
        template("h100-lt", "lt-1", (700, "gp3")),
        group("h100", "lt-1", 1, 2),
        template("other", "lt-2", (5, "gp3")),
    ]
    report = price_plan(plan, cloud="aws", region="us-east-1")
    vm, volumes = rows_of(report, "h100")
    assert vm.monthly_max == pytest.approx(2 * on_demand("aws", "p5.48xlarge", "us-east-1") * H)
    assert (volumes.quantity_min, volumes.quantity_max) == (700, 1400)
    assert (volumes.monthly_min, volumes.monthly_max) == (pytest.approx(700 * 0.08), pytest.approx(1400 * 0.08))
    assert volumes.unit_usd == aws("block_storage") == 0.08 and "h100-lt" in volumes.item and not volumes.warning
    # The templates themselves cost nothing: only the group's volumes are rows.
    assert not rows_of(report, "h100-lt") and not rows_of(report, "other")


def test_a_volume_that_is_not_gp3_is_priced_at_gp3_and_says_so() -> None:
    plan = [template("lt", "lt-1", (100, "io2")), group("g", "lt-1", 1, 1, "g6.xlarge")]
    (_, volumes) = price_plan(plan, cloud="aws", region="us-east-1").rows
    assert volumes.monthly_max == pytest.approx(8.0) and "io2" in volumes.warning


def test_interface_endpoints_bill_per_zone_and_gateway_endpoints_are_free() -> None:
    plan = [
        res(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "ecr",
            vpcEndpointType="Interface",
            serviceName="com.amazonaws.us-east-1.ecr.api",
            subnetIds=["s-a", "s-b", "s-c"],
        ),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", vpcEndpointType="Gateway", serviceName="com.amazonaws.x.s3"),
    ]
    report = price_plan(plan, cloud="aws", region="us-east-1")
    hours, data = rows_of(report, "ecr")
    assert hours.quantity_max == 3 and hours.monthly_max == pytest.approx(3 * 0.01 * H) == pytest.approx(21.9)
    assert data.unit == "GB" and data.unit_usd == 0.01 and data.monthly_max == 0 and "0 GB assumed" in data.note
    assert not rows_of(report, "s3")


def test_a_nat_gateway_and_its_elastic_ip_are_priced() -> None:
    plan = [res("aws:ec2/natGateway:NatGateway", "nat"), res("aws:ec2/eip:Eip", "nat-ip", domain="vpc")]
    report = price_plan(plan, cloud="aws", region="us-east-1")
    assert report.monthly_max == pytest.approx(0.045 * H + 0.005 * H) == pytest.approx(36.5)


@pytest.mark.parametrize(
    ("region", "used", "warned"),
    [("us-east-1", "us-east-1", False), ("us-west-2", "us-west-2", False), ("eu-west-1", "us-east-1", True)],
)
def test_a_region_without_a_price_says_which_region_it_used(region: str, used: str, warned: bool) -> None:
    plan = [res("aws:ec2/natGateway:NatGateway", "nat"), res("aws:eks/cluster:Cluster", "eks")]
    report = price_plan(plan, cloud="aws", region=region)
    nat = rows_of(report, "nat")[0]
    assert nat.price_region == used
    assert (f"no {region} price" in nat.warning and "us-east-1 price is used" in nat.warning) == warned
    (eks,) = rows_of(report, "eks")
    assert eks.price_region == "all regions" and not eks.warning  # one EKS fee everywhere


def test_every_row_names_its_unit_price_source_and_region() -> None:
    plan = [
        template("lt", "lt-1", (100, "gp3")),
        group("g", "lt-1", 0, 2, "g6.xlarge"),
        res("aws:ec2/natGateway:NatGateway", "nat"),
        res("aws:s3/bucket:Bucket", "b"),
        res("aws:cloudwatch/logGroup:LogGroup", "logs"),
    ]
    report = price_plan(plan, cloud="aws", region="us-east-1", bucket_gb=10)
    assert all(row.source and row.price_region and row.as_of for row in report.rows)
    assert [row["source"] for row in report.to_dict()["rows"]] == [row.source for row in report.rows]


@pytest.mark.parametrize(
    ("pool_min", "floor", "expected"),
    [(0, 1, 1), (2, 1, 2), (0, 9, 4)],  # raised; already enough; never above the pool's max
)
def test_min_scale_includes_the_nodes_replicas_min_need(pool_min: float, floor: float, expected: float) -> None:
    plan = [template("lt", "lt-1", (100, "gp3")), group("g", "lt-1", pool_min, 4, "g6.xlarge")]
    report = price_plan(plan, cloud="aws", region="us-east-1", floors={"g": NodeFloor(floor, "chat needs it")})
    vm, volumes = rows_of(report, "g")
    assert vm.quantity_min == expected and volumes.quantity_min == 100 * expected
    assert vm.monthly_min == pytest.approx(expected * on_demand("aws", "g6.xlarge", "us-east-1") * H)
    assert ("chat needs it" in vm.min_note) == (expected > pool_min)


def test_cloud_nat_counts_the_floor_nodes_too() -> None:
    pool = res(
        "gcp:container/nodePool:NodePool",
        "l4",
        nodeConfig={"machineType": "g2-standard-4", "diskSizeGb": 200},
        autoscaling={"minNodeCount": 0, "maxNodeCount": 2},
    )
    plan = [pool, res("gcp:compute/routerNat:RouterNat", "nat")]
    report = price_plan(plan, cloud="gcp", region="us-central1", floors={"l4": NodeFloor(1, "r")}, default_zones=1)
    nat = rows_of(report, "nat")[0]
    assert (nat.quantity_min, nat.monthly_min) == (1, pytest.approx(0.0014 * H))
    _, disk = rows_of(report, "l4")
    assert disk.monthly_min == pytest.approx(200 * 0.10) and disk.price_region == "us-central1"


def test_a_gke_boot_disk_of_another_type_is_flagged() -> None:
    pool = res(
        "gcp:container/nodePool:NodePool",
        "p",
        nodeConfig={"machineType": "e2-standard-4", "diskSizeGb": 50, "diskType": "pd-ssd"},
        autoscaling={"totalMinNodeCount": 1, "totalMaxNodeCount": 1},
    )
    (_, disk) = price_plan([pool], cloud="gcp", region="us-central1").rows
    assert "pd-ssd" in disk.warning and disk.monthly_max == pytest.approx(5.0)


@settings(max_examples=60, deadline=None)
@given(
    pools=st.lists(
        st.tuples(
            st.sampled_from(["g6.xlarge", "p5.48xlarge", "m6i.large"]),
            st.integers(0, 4),
            st.integers(0, 6),
            st.integers(0, 8),
            st.sampled_from([50.0, 100.0, 700.0]),
        ),
        min_size=1,
        max_size=4,
    ),
    region=st.sampled_from(["us-east-1", "us-west-2", "eu-west-1"]),
)
def test_totals_are_the_rows_and_min_never_exceeds_max(
    pools: list[tuple[str, int, int, int, float]], region: str
) -> None:
    plan: list[PlannedResource] = [res("aws:ec2/natGateway:NatGateway", "nat")]
    floors = {}
    for index, (itype, low, extra, floor, gb) in enumerate(pools):
        plan += [
            template(f"lt{index}", f"lt-{index}", (gb, "gp3")),
            group(f"g{index}", f"lt-{index}", low, low + extra, itype),
        ]
        floors[f"g{index}"] = NodeFloor(float(floor), "models")
    report = price_plan(plan, cloud="aws", region=region, floors=floors)
    data = report.to_dict()
    assert data["monthly_usd"]["min"] == round(sum(row["monthly_min"] for row in data["rows"]), 2)
    assert data["monthly_usd"]["max"] == round(sum(row["monthly_max"] for row in data["rows"]), 2)
    for index, (_, low, extra, floor, gb) in enumerate(pools):
        vm, volumes = rows_of(report, f"g{index}")
        assert vm.quantity_min == min(max(low, floor), low + extra) <= vm.quantity_max == low + extra
        assert volumes.quantity_min == gb * vm.quantity_min and volumes.quantity_max == gb * vm.quantity_max
