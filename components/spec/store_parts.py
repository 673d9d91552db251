"""The environment's weight store and spending limits: the sections of the spec that are neither compute nor models."""

from __future__ import annotations

from pydantic import Field, PositiveInt

from inferstack.spec.base import MAX_MONTHLY_USD, MAX_RETENTION_DAYS, FrozenSpec


class ModelStoreSpec(FrozenSpec):
    """Where model weights are staged once and loaded from."""

    bucket: bool = Field(
        default=True,
        description="Create a private bucket for weights (aws, gcp; kubernetes creates none and must not set it "
        "true); default: true.",
    )
    protect: bool | None = Field(
        default=None,
        description="Protect the bucket and its key from deletion; default: the value of production.",
    )
    unprotected_in_production: bool = Field(
        default=False,
        description="Accept that protect: false lets a production stack delete its bucket and keys; default: false.",
    )
    noncurrent_version_days: PositiveInt = Field(
        default=30, le=MAX_RETENTION_DAYS, description="Days to keep overwritten object versions; default: 30."
    )
    customer_managed_key: bool = Field(
        default=True, description="Encrypt with a customer-managed KMS key; default: true."
    )


class BudgetSpec(FrozenSpec):
    """Spending limits checked before anything is created."""

    monthly_usd: float | None = Field(
        default=None, gt=0, le=MAX_MONTHLY_USD, description="Monthly cost ceiling at max scale in USD; default: none."
    )
