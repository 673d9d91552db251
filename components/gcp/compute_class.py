"""GkeComputeClass: a GPU pool's custom ComputeClass, the object GKE auto-creates the pool's nodes from."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from inferstack.gcp.plan.compute_class import API_VERSION, KIND, ComputeClassPlan, compute_class_object

TYPE_TOKEN = "inferstack:index:GkeComputeClass"


class GkeComputeClass(pulumi.ComponentResource):
    """A ComputeClass whose priorities are the pool's capacity preferences; its nodes run as the node identity."""

    compute_class: k8s.apiextensions.CustomResource

    def __init__(
        self,
        name: str,
        plan: ComputeClassPlan,
        *,
        service_account: pulumi.Input[str],
        provider: k8s.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        body = pulumi.Output.from_input(service_account).apply(lambda email: compute_class_object(plan, email))
        # GKE serves the ComputeClass API itself (1.30.3-gke.1451000 and later): no CRD release to wait for.
        self.compute_class = k8s.apiextensions.CustomResource(
            f"{name}-class",
            api_version=API_VERSION,
            kind=KIND,
            # The metadata is known now (the service account only shows in the spec), so the object's name is too.
            metadata=compute_class_object(plan, "")["metadata"],
            spec=body.apply(lambda obj: obj["spec"]),
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        self.register_outputs({"name": plan.name})
