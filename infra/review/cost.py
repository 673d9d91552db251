"""What a stack's Plan costs: the planned resources priced, each model's serving, and the bucket the weights fill.

Pure data from the spec and the Plan (the catalog holds the prices); the CLI only renders it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inferstack.planning.capacity import spec_checkpoint, spec_model_shape
from inferstack.planning.cost import CostReport, price_plan
from inferstack.planning.defaults import effective_zones
from inferstack.planning.plan_readers import PlanResource
from inferstack.planning.precision import stored_weights_gb
from inferstack.planning.spec_serving import ModelServing, spec_serving, spec_startups
from inferstack.spec import EnvironmentSpec


def bucket_size_gb(spec: EnvironmentSpec) -> float:
    """The stated bucket size: the stored checkpoint of every model with a known shape, each staged once.

    What is stored is the checkpoint as published: fp8 at load still stages the 16-bit weights.
    """
    total = 0.0
    for model in {m.source: m for m in spec.models.values()}.values():
        found = spec_model_shape(model)
        if found is not None:
            total += stored_weights_gb(found[1], spec_checkpoint(model, found[1]))
    return round(total, 1)


def stack_cost(
    spec: EnvironmentSpec, resources: Iterable[PlanResource], bucket_gb: float | None = None
) -> tuple[CostReport, list[ModelServing]]:
    """Price a stack's planned resources (the bucket at `bucket_gb`, default its models' weights) and its serving."""
    zones = len(effective_zones(spec)) or 1
    gb = bucket_gb if bucket_gb is not None else bucket_size_gb(spec)
    report = price_plan(resources, cloud=spec.cloud, region=spec.region, bucket_gb=gb, default_zones=zones)
    return report, spec_serving(spec)


def cost_document(stack: str, spec: EnvironmentSpec, report: CostReport, serving: list[ModelServing]) -> dict[str, Any]:
    """The cost of a stack as plain data (what `inferstack cost --json` prints)."""
    data = report.to_dict()
    data["stack"] = stack
    data["budget_monthly_usd"] = spec.budget.monthly_usd
    data["models"] = [item.__dict__ for item in serving]
    data["startup"] = {key: estimate.to_dict() for key, estimate in spec_startups(spec).items()}
    return data
