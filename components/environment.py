"""LlmEnvironment: one checked spec in, the whole environment out.

It picks the cloud layer (which builds network, cluster, pools, bucket and identities and fills a
`ClusterTarget`), then hands that target to the workload layer, which is written once for every cloud.
"""

from __future__ import annotations

from typing import Any, Protocol

import pulumi

from inferstack.planning.defaults import effective_zones
from inferstack.spec import EnvironmentSpec
from inferstack.target import ClusterTarget
from inferstack.validation import check_spec

TYPE_TOKEN = "inferstack:index:LlmEnvironment"


class CloudLayer(Protocol):
    """What a cloud's environment component offers LlmEnvironment: a target and outputs to export."""

    target: ClusterTarget
    outputs: dict[str, Any]


def build_cloud_layer(
    name: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions, gcp_project: str | None = None
) -> CloudLayer | None:
    """The cloud layer for the spec's cloud (on GCP in `gcp_project`, when given)."""
    # Each cloud package is imported only when used, so aws/ and gcp/ never load each other's SDK.
    if spec.cloud == "aws":
        from inferstack.aws.environment import AwsEnvironment

        return AwsEnvironment(name, spec, opts)
    if spec.cloud == "gcp":
        from inferstack.gcp.environment import GcpEnvironment

        return GcpEnvironment(name, spec, opts, project=gcp_project)
    from inferstack.kubernetes.existing_cluster import ExistingCluster

    return ExistingCluster(name, spec, opts)


def build_workload_layer(name: str, spec: EnvironmentSpec, target: ClusterTarget, opts: pulumi.ResourceOptions) -> Any:
    """The workload layer (add-ons and one InferenceService per model) on the target cluster."""
    from inferstack.k8s.workload import Workload

    return Workload(f"{name}-workload", spec, target, opts)


class LlmEnvironment(pulumi.ComponentResource):
    """A complete LLM serving environment: network, cluster, GPU pools, model store and the workload."""

    summary: pulumi.Output[dict[str, object]]

    def __init__(
        self,
        name: str,
        spec: EnvironmentSpec,
        opts: pulumi.ResourceOptions | None = None,
        *,
        gcp_project: str | None = None,
    ) -> None:
        """Build the environment; the cloud provider is the one in `opts` or one set to the spec's region.

        `gcp_project` is the project of the GCP provider LlmEnvironment creates when `opts` gives none.
        """
        # Library users may build a spec in code: its `auto` values are chosen and the same cross-field rules
        # apply as for stack files (a loaded spec comes back as the same object).
        spec = check_spec(spec)
        # The checked spec is kept as the component's inputs on purpose: a component is never replaced, and its
        # input diff (in `pulumi preview` and `inferstack diff`) names the spec fields a change came from, above
        # the resources it moves.
        super().__init__(TYPE_TOKEN, name, {"spec": spec.model_dump(mode="json")}, opts)
        self.spec = spec
        child = pulumi.ResourceOptions(parent=self)
        self.cloud = build_cloud_layer(name, spec, child, gcp_project)
        self.workload = build_workload_layer(name, spec, self.cloud.target, child) if self.cloud else None
        self.outputs: dict[str, Any] = dict(self.cloud.outputs) if self.cloud else {}
        if self.workload is not None and self.workload.smoke_tests:
            # Where each model's post-deploy smoke test ran and the command that prints its TTFT and tokens/s.
            self.outputs["smoke_tests"] = self.workload.smoke_tests
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
        self.register_outputs({"summary": self.summary, **self.outputs})
