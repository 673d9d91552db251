"""The workload's names and exposure: reserved model keys, and public load balancers that list their clients."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import BROADEST_CLIENT_PREFIX, field_path

# serving_namespace("staging") would be the staging namespace itself (components/planning/names.py).
RESERVED_MODEL_KEYS = {"staging": "its namespace llm-staging is the model-staging namespace"}


def check_serving(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Model keys do not collide with the workload's own names; a public load balancer lists its clients."""
    for name, model in spec.models.items():
        if name in RESERVED_MODEL_KEYS:
            yield SpecIssue(
                field_path("models", name), f"the key {name} is reserved: {RESERVED_MODEL_KEYS[name]}", "rename it"
            )
        lb = model.load_balancer
        if lb is None or lb.internal:
            continue
        if not lb.source_ranges:
            yield SpecIssue(
                field_path("models", name, "load_balancer", "source_ranges"),
                "a public load balancer with no source ranges is open to the whole internet",
                "list your clients' CIDRs, or set internal: true",
            )
        for index, cidr in enumerate(lb.source_ranges):
            if cidr.prefixlen < BROADEST_CLIENT_PREFIX:
                yield SpecIssue(
                    field_path("models", name, "load_balancer", "source_ranges", index),
                    f"{cidr} opens the model to (almost) the whole internet",
                    f"list narrow client CIDRs (/{BROADEST_CLIENT_PREFIX} or narrower)",
                )
