"""Bring your own cluster (`cloud: kubernetes`): no cloud resources, a provider for a kubeconfig context.

The provider reads the kubeconfig the usual way (KUBECONFIG or ~/.kube/config) and uses the spec's
`cluster.kubeconfig_context`, or the current context. The target has no bucket, so models cache their weights in a
volume. Its pools are GPU nodes the cluster already has, described under `node_pools.<key>.existing` (never created,
scaled or labelled here); without them models run on the CPU engine. NVIDIA's device plugin is the cluster's own
unless `cluster.device_plugin` asks the workload layer to install it.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from inferstack.planning.existing_nodes import described_pool
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
            pools={key: described_pool(key, pool) for key, pool in sorted(spec.node_pools.items())},
            needs_device_plugin=spec.cluster.device_plugin,
            minimal_addons=True,
            node_architecture=spec.cluster.architecture or "amd64",
            existing_nodes=True,
        )
        self.outputs = {"kubeconfig_context": context or "(current)"}
        self.register_outputs(self.outputs)
