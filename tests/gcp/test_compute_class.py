"""GKE ComputeClasses (cluster.provisioner: compute_class): what is planned, what validation refuses, what it costs."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from inferstack.gcp.plan.compute_class import (
    compute_class_object,
    plan_autoprovisioning,
    plan_compute_class,
    priorities,
)
from inferstack.infra.review.cost import stack_cost
from inferstack.planning.plan_readers import node_pools
from inferstack.provider_types import Gcp, K8s
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation import load_stack_file, parse_environment_checked
from tests.conftest import shipped_plan, shipped_stacks
from tests.crd_schemas import crd_errors
from tests.goldens import check_golden
from tests.validation.test_capacity import problems, seed, warnings

CLASS_STACKS = ("gcp-dev", "gcp-prod")


def _spec(document: dict[str, Any]) -> EnvironmentSpec:
    return parse_environment_checked(document, "t").spec


def _classes(stack: str) -> dict[str, dict[str, Any]]:
    return {r.inputs["metadata"]["name"]: dict(r.inputs) for r in shipped_plan(stack).of_type(K8s.COMPUTE_CLASS)}


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_shipped_compute_class_validates_against_the_crd_schema(stack: str) -> None:
    for name, obj in _classes(stack).items():
        assert crd_errors(obj) == [], name


def test_a_misspelt_field_fails_the_schema() -> None:
    obj = _classes("gcp-dev")["gpu-l4"]
    bad = {**obj, "spec": {**obj["spec"], "whenUnsatisfiable": "ScaleUp"}}
    bad["spec"]["priorities"] = [{**obj["spec"]["priorities"][0], "spotVm": True}]
    errors = crd_errors(bad)
    assert any("whenUnsatisfiable" in e for e in errors) and any("spotVm" in e for e in errors)


@pytest.mark.parametrize("stack", CLASS_STACKS)
def test_class_pools_have_no_gke_gpu_node_pool(stack: str) -> None:
    plan = shipped_plan(stack)
    # Only the system pool is a GKE node pool: GKE auto-creates the GPU nodes from the classes.
    (system,) = plan.of_type(Gcp.GKE_NODE_POOL)
    assert system.name.endswith("-gke-system") and "guestAccelerators" not in system.inputs["nodeConfig"]
    assert len(plan.of_type(K8s.COMPUTE_CLASS)) == len(load_stack_file(shipped_stacks()[stack]).node_pools)


def test_gcp_dev_tries_its_reservation_then_spot_then_on_demand() -> None:
    spec = _classes("gcp-dev")["gpu-l4"]["spec"]
    rungs = spec["priorities"]
    assert [r.get("reservations", {}).get("specific") for r in rungs] == [[{"name": "ml-dev-l4"}], None, None]
    assert rungs[0]["reservations"]["affinity"] == "Specific"
    assert [r.get("spot") for r in rungs] == [None, True, False]
    # Machine and GPUs from the catalog (g2-standard-4 carries one L4).
    assert {(r["machineType"], r["gpu"]["type"], r["gpu"]["count"]) for r in rungs} == {
        ("g2-standard-4", "nvidia-l4", 1)
    }
    assert spec["nodePoolAutoCreation"] == {"enabled": True}
    assert spec["whenUnsatisfiable"] == "DoNotScaleUp"
    # Reserved first: pods move back onto the (already paid) reservation when it has room.
    assert spec["activeMigration"] == {"optimizeRulePriority": True}
    assert spec["priorityDefaults"]["location"]["zones"] == ["us-central1-a"]
    assert spec["nodePoolConfig"]["serviceAccount"].startswith("gcp-dev-nodes@")
    assert spec["nodePoolConfig"]["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]


def test_gcp_prod_is_on_demand_only_and_does_not_migrate() -> None:
    spec = _classes("gcp-prod")["gpu-h100"]["spec"]
    assert [(r["machineType"], r["spot"]) for r in spec["priorities"]] == [("a3-highgpu-8g", False)]
    assert spec["activeMigration"] == {"optimizeRulePriority": False}


def test_workloads_select_the_class_and_keep_the_gpu_toleration() -> None:
    (deployment,) = shipped_plan("gcp-dev").of_type(K8s.DEPLOYMENT)
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert pod["nodeSelector"]["cloud.google.com/compute-class"] == "gpu-l4"
    assert pod["nodeSelector"]["inferstack.dev/pool"] == "l4"
    assert {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"} in pod[
        "tolerations"
    ]
    assert {
        "key": "cloud.google.com/compute-class",
        "operator": "Equal",
        "value": "gpu-l4",
        "effect": "NoSchedule",
    } in pod["tolerations"]
    # The class labels its nodes with the pool labels the selector names.
    labels = _classes("gcp-dev")["gpu-l4"]["spec"]["nodePoolConfig"]["nodeLabels"]
    assert {k: v for k, v in pod["nodeSelector"].items() if k.startswith("inferstack.dev/")}.items() <= labels.items()


def test_the_cluster_auto_provisions_within_the_pools_limits() -> None:
    (cluster,) = shipped_plan("gcp-prod").of_type(Gcp.GKE_CLUSTER)
    scaling = cluster.inputs["clusterAutoscaling"]
    limits = {row["resourceType"]: row["maximum"] for row in scaling["resourceLimits"]}
    # h100: max 2 nodes of 8 H100s; the system pool's and the GPU nodes' vCPUs and memory on top.
    assert limits["nvidia-h100-80gb"] == 16
    assert limits["cpu"] >= 2 * 208 and limits["memory"] >= 2 * 1872
    defaults = scaling["autoProvisioningDefaults"]
    assert defaults["serviceAccount"].startswith("prod-nodes@")
    assert defaults["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
    assert defaults["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert scaling["enabled"] is True


def test_managed_pools_leave_cluster_autoscaling_unset() -> None:
    document = seed("gcp-dev")
    document["cluster"].pop("provisioner")
    document["node_pools"]["l4"] = {"gpu": "nvidia-l4", "max": 2, "capacity": "spot"}
    assert plan_autoprovisioning(_spec(document)) is None


@pytest.mark.parametrize(
    ("capacity", "flex", "kinds"),
    [
        (["spot", "on_demand"], True, ["spot", "flex_start", "on_demand"]),
        (["spot"], True, ["spot", "flex_start"]),
        (["on_demand", "spot"], False, ["on_demand", "spot"]),
        (["reserved", "on_demand"], True, ["reserved", "flex_start", "on_demand"]),
    ],
)
def test_flex_start_comes_just_before_on_demand(capacity: list[str], flex: bool, kinds: list[str]) -> None:
    document = seed("gcp-dev")
    pool = document["node_pools"]["l4"]
    pool["capacity"], pool["flex_start"] = capacity, flex
    if "reserved" not in capacity:
        pool.pop("reservations")
    spec = _spec(document)
    assert [rung.kind for rung in priorities(spec, "l4")] == kinds
    rendered = compute_class_object(plan_compute_class(spec, "l4"), "sa@p.iam.gserviceaccount.com")
    flex_rungs = [r for r in rendered["spec"]["priorities"] if "flexStart" in r]
    assert flex_rungs == ([{**flex_rungs[0], "flexStart": {"enabled": True}}] if flex else [])
    assert crd_errors(rendered) == []


def test_compute_class_golden() -> None:
    spec = load_stack_file(shipped_stacks()["gcp-dev"])
    rendered = compute_class_object(
        plan_compute_class(spec, "l4"), "gcp-dev-nodes@my-gcp-project.iam.gserviceaccount.com"
    )
    text = yaml.safe_dump(rendered, sort_keys=True)
    check_golden("compute_class_gcp_dev_l4.yaml", text, "tests/gcp/test_compute_class.py")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d["cluster"].pop("provisioner"),
            "environment.node_pools.l4.flex_start: flex-start is GKE's Dynamic Workload Scheduler, asked for by a "
            "ComputeClass priority — set cluster.provisioner: compute_class on gcp, or remove flex_start",
        ),
    ],
)
def test_flex_start_needs_a_compute_class(edit: Any, expected: str) -> None:
    document = seed("gcp-dev")
    document["node_pools"]["l4"] |= {"capacity": ["spot", "on_demand"], "flex_start": True}
    document["node_pools"]["l4"].pop("reservations")
    edit(document)
    assert expected in problems(document)


def test_flex_start_is_refused_on_aws() -> None:
    document = seed("aws-dev")
    document["node_pools"]["l4"]["flex_start"] = True
    assert any(
        p.startswith("environment.node_pools.l4.flex_start: flex-start is GKE's") and "(cloud is aws)" in p
        for p in problems(document)
    )


def test_flex_start_warns_of_queued_start_up() -> None:
    document = seed("gcp-dev")
    document["node_pools"]["l4"]["flex_start"] = True
    (warning,) = [w for w in warnings(document) if w.startswith("environment.node_pools.l4.flex_start")]
    assert "queued" in warning and "7 days" in warning


def test_an_on_demand_base_behind_spot_is_refused_on_a_compute_class() -> None:
    document = seed("gcp-dev")
    document["node_pools"]["l4"]["capacity"] = ["reserved", "spot", "on_demand"]
    # gcp-dev's chat sleeps at zero; a base needs a minimum to live in.
    document["models"]["chat"]["replicas"].update(min=1, on_demand_base=1)
    assert problems(document) == [
        "environment.models.chat.replicas.on_demand_base: pool l4's ComputeClass tries spot before on-demand for "
        "every replica alike, so it cannot keep 1 of them on on-demand nodes — put on_demand before spot in "
        "node_pools.l4.capacity, serve the base from a second pool whose capacity is on_demand, or set "
        "on_demand_base: 0"
    ]


def test_an_on_demand_base_with_on_demand_first_is_accepted() -> None:
    document = seed("gcp-dev")
    document["node_pools"]["l4"]["capacity"] = ["reserved", "on_demand", "spot"]
    document["models"]["chat"]["replicas"].update(min=1, on_demand_base=1)
    spec = _spec(document)
    assert plan_compute_class(spec, "l4").on_demand_base == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("zone", "us-central1-b", "zone 'us-central1-b' is not one of pool l4's zones"),
        ("count", 3, "3 nodes is above pool l4's max of 2"),
    ],
)
def test_a_reservation_that_does_not_match_its_pool_is_refused(field: str, value: object, message: str) -> None:
    document = seed("gcp-dev")
    document["node_pools"]["l4"]["reservations"]["team-l4"][field] = value
    assert any(message in p for p in problems(document))


def test_an_unkept_min_warns_once_the_models_need_fewer_nodes() -> None:
    document = seed("gcp-dev")
    document["models"]["chat"]["replicas"]["min"] = 1  # gcp-dev's chat sleeps at zero: one replica needs one node
    document["node_pools"]["l4"]["min"] = 2
    assert any(
        w.startswith("environment.node_pools.l4.min: GKE creates a ComputeClass pool's nodes for pending pods only")
        for w in warnings(document)
    )
    document["node_pools"]["l4"]["min"] = 1
    assert not [w for w in warnings(document) if w.startswith("environment.node_pools.l4.min: GKE creates")]


def test_the_reserved_first_pool_is_priced_at_the_on_demand_rate_and_says_so() -> None:
    spec = load_stack_file(shipped_stacks()["gcp-dev"])
    report, _ = stack_cost(spec, shipped_plan("gcp-dev").resources)
    (row,) = [r for r in report.rows if r.type == K8s.COMPUTE_CLASS and r.unit == "node-hour"]
    assert "reservation priced at the on-demand rate" in row.warning
    assert row.unit_usd == pytest.approx(0.70683)
    assert row.quantity_min == 1  # the chat model's replicas.min needs one node


def test_a_spot_first_pool_ranges_from_spot_to_its_on_demand_fallback() -> None:
    document = seed("gcp-dev")
    document["node_pools"]["l4"]["capacity"] = ["spot", "on_demand"]
    document["node_pools"]["l4"].pop("reservations")
    document["models"]["chat"]["replicas"]["min"] = 1  # one warm replica: one node at min scale
    spec = _spec(document)
    from inferstack.infra.offline.stacks import plan_spec

    plan = plan_spec("gcp-dev", spec, {"gcp:project": "my-gcp-project"})
    (pool,) = node_pools(plan.of_type(K8s.COMPUTE_CLASS))
    assert pool.purchase == ("spot", "on_demand") and pool.max_nodes == 2
    (row,) = [
        r for r in stack_cost(spec, plan.resources)[0].rows if r.type == K8s.COMPUTE_CLASS and r.unit == "node-hour"
    ]
    assert row.unit_usd == pytest.approx(0.28184)
    assert row.monthly_min == pytest.approx(0.28184 * 730 * 1)
    assert row.monthly_max == pytest.approx(0.70683 * 730 * 2)
    assert "on-demand fallback" in row.warning


@settings(max_examples=40, deadline=None, database=None)
@given(
    order=st.permutations(["reserved", "spot", "on_demand"]),
    size=st.integers(min_value=1, max_value=3),
    flex=st.booleans(),
    reservations=st.integers(min_value=1, max_value=2),
)
def test_priorities_follow_the_preference_list(order: list[str], size: int, flex: bool, reservations: int) -> None:
    # Any preference list: the rungs keep its order, each reservation is tried once, flex-start sits just before
    # on-demand (last without it), and the rendered class passes the schema.
    capacity = order[:size]
    document = seed("gcp-dev")
    pool = document["node_pools"]["l4"]
    pool |= {"capacity": capacity, "flex_start": flex, "max": 2, "min": 0}
    pool["reservations"] = (
        {f"r{i}": {"name": f"ml-dev-l4-{i}", "zone": "us-central1-a", "count": 1} for i in range(reservations)}
        if "reserved" in capacity
        else {}
    )
    spec = _spec(document)
    kinds = [rung.kind for rung in priorities(spec, "l4")]
    expected: list[str] = []
    for option in capacity:
        if option == "reserved":
            expected += ["reserved"] * reservations
            continue
        expected += ["flex_start"] if option == "on_demand" and flex else []
        expected.append(option)
    expected += ["flex_start"] if flex and "on_demand" not in capacity else []
    assert kinds == expected
    rendered = compute_class_object(plan_compute_class(spec, "l4"), "sa@p.iam.gserviceaccount.com")
    names = [r["reservations"]["specific"][0]["name"] for r in rendered["spec"]["priorities"] if "reservations" in r]
    assert sorted(names) == sorted(set(names)) and len(names) == (reservations if "reserved" in capacity else 0)
    assert crd_errors(rendered) == []
