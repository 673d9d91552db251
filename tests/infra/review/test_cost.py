"""The cost of every shipped stack adds up: each Plan type is priced or listed as free, the totals are the rows,
the min-scale nodes hold the models' replicas.min, and the model replica cost fits the node cost it runs on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from inferstack import catalog
from inferstack.infra.cli.app import app
from inferstack.infra.review.cost import stack_cost
from inferstack.planning.cost import HOURS_PER_MONTH, NOT_PRICED, PRICERS, is_priced_or_free
from inferstack.planning.cost_rows import CostRow
from inferstack.planning.cost_unpriced import UNPRICED_PREFIXES
from inferstack.planning.fit import nodes_at, pool_models
from inferstack.planning.provisioning import reserved_nodes
from inferstack.provider_types import ALL_TYPES, K8s
from inferstack.target import POOL_LABEL
from inferstack.validation import load_stack_file
from tests.conftest import shipped_plan, shipped_stacks

STACKS = sorted(shipped_stacks())
runner = CliRunner()


def test_every_known_type_is_priced_or_listed_with_a_reason() -> None:
    undecided = {t for t in ALL_TYPES if not is_priced_or_free(t)}
    assert undecided == set(), "price these in planning/cost.py or list them in planning/cost_unpriced.py"
    assert set(PRICERS).isdisjoint(NOT_PRICED)
    assert all(reason.strip() for reason in NOT_PRICED.values())
    # The prefix rule must not hide a type that bills: it covers components and providers only.
    assert not any(t.startswith(UNPRICED_PREFIXES) for t in PRICERS)


@pytest.mark.parametrize("stack", STACKS)
def test_every_type_in_the_plan_is_priced_or_listed(stack: str) -> None:
    types = {res.type for res in shipped_plan(stack).resources}
    assert {t for t in types if not is_priced_or_free(t)} == set()


@pytest.mark.parametrize("stack", STACKS)
def test_cost_json_totals_are_the_sum_of_its_rows(stack: str) -> None:
    result = runner.invoke(app, ["cost", stack, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for scale in ("min", "max"):
        assert data["monthly_usd"][scale] == pytest.approx(
            sum(row[f"monthly_{scale}"] for row in data["rows"]), abs=0.01
        )
    for row in data["rows"]:
        per_unit = {"hour": HOURS_PER_MONTH, "node-hour": HOURS_PER_MONTH, "GB": 0.0}.get(row["unit"], 1.0)
        assert row["monthly_max"] == pytest.approx(row["unit_usd"] * per_unit * row["quantity_max"])
        assert row["monthly_min"] <= row["monthly_max"] + 1e-9
        assert (row["source"] and row["price_region"]) or row["warning"], row


def _node_rows(stack: str):
    spec = load_stack_file(shipped_stacks()[stack])
    plan = shipped_plan(stack)
    report, serving = stack_cost(spec, plan.resources)
    labels = {}
    for res in plan.resources:
        config = res.inputs.get("nodeConfig") or res.inputs.get("metadata") or res.inputs
        if res.type in (
            "aws:eks/nodeGroup:NodeGroup",
            "gcp:container/nodePool:NodePool",
            "kubernetes:cloud.google.com/v1:ComputeClass",
        ):
            labels[res.name] = (config.get("labels") or {}).get(POOL_LABEL)
        if res.type == K8s.KARPENTER_NODE_POOL:
            labels[res.name] = res.inputs["spec"]["template"]["metadata"]["labels"].get(POOL_LABEL)
    rows: dict[str, list[CostRow]] = {}
    for row in report.rows:
        if row.unit == "node-hour":
            rows.setdefault(labels[row.resource], []).append(row)
    return spec, serving, rows


# Stacks on a cloud: an existing cluster's nodes are not bought (tests/kubernetes checks their $0 rows).
CLOUD_STACKS = [s for s in STACKS if load_stack_file(shipped_stacks()[s]).cloud != "kubernetes"]


@pytest.mark.parametrize("stack", CLOUD_STACKS)
def test_node_cost_and_model_replica_cost_come_from_the_same_nodes(stack: str) -> None:
    spec, serving, by_pool = _node_rows(stack)
    models = pool_models(spec)
    cost_by_model = {item.model: item.gpu_usd_per_hour * HOURS_PER_MONTH for item in serving}
    for key, pool in spec.node_pools.items():
        rows = by_pool[key]
        if key not in models:
            continue
        low = nodes_at(pool.gpus_per_node, models[key], at="min") or 0
        high = nodes_at(pool.gpus_per_node, models[key], at="max") or 0
        if spec.cluster.provisioner == "karpenter":
            # Karpenter keeps no minimum: min scale is what replicas.min need, split over the pool's NodePools (the
            # on-demand base and the main one); together they launch at most max. Replicas are priced at the first
            # preference (spot), each NodePool's maximum at its fallback: the models never cost more than the nodes.
            assert sum(r.quantity_min for r in rows) == low
            assert high <= sum(r.quantity_max for r in rows) == pool.max
            replicas = sum(cost_by_model[m.key] for m in models[key] if m.key in cost_by_model)
            assert replicas <= sum(r.monthly_max for r in rows) + 0.01
            continue
        (row,) = rows
        # Min scale keeps the pool's min, the nodes replicas.min need, or the reserved nodes taken first (billed
        # whether used or not), whichever is most.
        assert row.quantity_min == max(pool.min, low, reserved_nodes(pool))
        assert high <= row.quantity_max == pool.max
        # A replica costs its share of the node price the node row uses: the models never cost more than the nodes.
        itype = catalog.instance_types(spec.cloud)[row.item.split()[0]]
        replicas = sum(cost_by_model[m.key] for m in models[key] if m.key in cost_by_model)
        assert replicas <= row.monthly_max + 0.01
        for m in models[key]:
            if m.key in cost_by_model:
                item = next(i for i in serving if i.model == m.key)
                share = row.unit_usd * m.tp / itype.gpus * item.replicas * HOURS_PER_MONTH
                assert cost_by_model[m.key] == pytest.approx(share)


def test_aws_dev_min_scale_holds_its_one_chat_replica() -> None:
    # The l4 pool keeps min 0, chat keeps replicas.min 1: min scale pays one spot g6.xlarge and its root volume.
    spec, _, by_pool = _node_rows("aws-dev")
    (row,) = by_pool["l4"]
    spot = catalog.instance_types("aws")["g6.xlarge"].regions["us-east-1"].spot_usd_per_hour
    assert spec.node_pools["l4"].min == 0 and spot is not None
    assert (row.quantity_min, row.monthly_min) == (1, pytest.approx(spot * HOURS_PER_MONTH))
    assert "replicas.min" in row.min_note
