"""One start-up number: `size --json`, `cost --json` and the rendered startupProbe agree for every shipped stack."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.review.manifests import plan_manifests
from inferstack.planning.capacity import hub_id
from inferstack.planning.spec_serving import model_store_kind, spec_startups
from inferstack.spec.models import tensor_parallel_of
from inferstack.validation import load_stack_file
from tests.conftest import shipped_plan, shipped_stacks

runner = CliRunner()


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_size_cost_and_the_probe_say_the_same_number(stack: str) -> None:
    spec = load_stack_file(shipped_stacks()[stack])
    startups = spec_startups(spec)
    assert set(startups) == set(spec.models), "every shipped model has a known shape"
    deployments = {
        doc["metadata"]["name"]: doc
        for doc in plan_manifests(shipped_plan(stack)).values()
        if doc.get("kind") == "Deployment"
    }
    cost = runner.invoke(app, ["cost", stack, "--json"])
    assert cost.exit_code == 0, cost.output
    cost_startup = json.loads(cost.stdout)["startup"]
    for key, model in spec.models.items():
        expected = startups[key].probe_budget_s
        (engine,) = (
            c for c in deployments[f"{key}-engine"]["spec"]["template"]["spec"]["containers"] if c["name"] == "engine"
        )
        probe = engine["startupProbe"]
        assert probe["failureThreshold"] * probe["periodSeconds"] == expected
        assert cost_startup[key]["startup_probe_s"] == expected
        pool = spec.node_pools.get(model.pool) if model.pool else None
        args = ["size", "--model", hub_id(model.source), "--gpu", pool.gpu if pool else "nvidia-l4", "--json"]
        args += ["--tp", str(tensor_parallel_of(model)), "--dtype", model.quantization or "auto"]
        # A pool with `cold_start:` is on the accelerated path (the probe follows its tuned streamer).
        args += ["--cold-start", "accelerated" if pool and pool.cold_start.accelerated else "default"]
        # The model's engine cap sets the CUDA graphs its warm-up captures.
        args += ["--max-num-seqs", str(model.max_num_seqs)] if model.max_num_seqs else []
        size = runner.invoke(app, [*args, "--store", model_store_kind(spec)])
        assert size.exit_code == 0, size.output
        assert json.loads(size.stdout)["startup"]["startup_probe_s"] == expected
        # The probe never kills a replica that is still loading by the tool's own estimate.
        assert expected >= startups[key].weight_load_s + startups[key].warmup_s
