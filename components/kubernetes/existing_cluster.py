"""Bring your own cluster (`cloud: kubernetes`): no cloud resources, a provider for a kubeconfig context.

The provider reads the kubeconfig the usual way (KUBECONFIG or ~/.kube/config) and uses the spec's
`cluster.kubeconfig_context`, or the current context. The target has no managed pools and no bucket, so
models run on the CPU engine and cache their weights in a volume.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from inferstack.spec import EnvironmentSpec
from inferstack.target import ClusterTarget

TYPE_TOKEN = "inferstack:index:ExistingCluster"


class ExistingCluster(pulumi.ComponentResource):
    """An existing Kubernetes cluster as a workload target."""

    target: ClusterTarget
    outputs: dict[str, Any]

    def __init__(self, name: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions | None = None) -> None:
        context = spec.cluster.kubeconfig_context
        super().__init__(TYPE_TOKEN, name, {"context": context}, opts)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            context=context,
            # Server-side apply: the API server merges fields, so KEDA may own replica counts.
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.target = ClusterTarget(
            provider=self.provider,
            pools={},
            needs_device_plugin=False,
            minimal_addons=True,
            node_architecture=spec.cluster.architecture or "amd64",
        )
        self.outputs = {"kubeconfig_context": context or "(current)"}
        self.register_outputs(self.outputs)
