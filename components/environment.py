"""LlmEnvironment: one checked spec in, the whole environment out."""

from __future__ import annotations

import pulumi

from components.spec import EnvironmentSpec, check_spec
from components.spec.resolve import effective_zones

TYPE_TOKEN = "inferstack:index:LlmEnvironment"


class LlmEnvironment(pulumi.ComponentResource):
    """A complete LLM serving environment: network, cluster, GPU pools, model store and the workload."""

    summary: pulumi.Output[dict[str, object]]

    def __init__(self, name: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions | None = None) -> None:
        # Library users may build a spec in code; the same cross-field rules apply as for stack files.
        check_spec(spec)
        super().__init__(TYPE_TOKEN, name, {"spec": spec.model_dump(mode="json")}, opts)
        self.spec = spec
        self.summary = pulumi.Output.from_input(
            {
                "name": spec.name,
                "cloud": spec.cloud,
                "region": spec.region,
                "zones": effective_zones(spec),
                "node_pools": sorted(spec.node_pools),
                "models": sorted(spec.models),
            }
        )
        self.register_outputs({"summary": self.summary})
