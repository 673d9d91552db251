"""GcpEnvironment: the whole GCP layer for one spec, and the `ClusterTarget` the workload layer deploys to."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.admins import GkeClusterAdmins
from inferstack.gcp.cluster import GkeCluster
from inferstack.gcp.identity import GcpWorkloadIdentity
from inferstack.gcp.keys import GcpKeyRing
from inferstack.gcp.logs import GkeLogRetention
from inferstack.gcp.network import GcpNetwork
from inferstack.gcp.node_identity import GkeNodeServiceAccount
from inferstack.gcp.node_pools import GkeGpuNodePool
from inferstack.gcp.plans import GpuPoolPlan, gke_service_agent, gpu_pool_plan, labels
from inferstack.gcp.project import current_project
from inferstack.gcp.storage import GcsModelStore
from inferstack.planning.defaults import data_protected
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import ClusterTarget, EgressRule, TargetPool

TYPE_TOKEN = "inferstack:index:GcpEnvironment"
SECRETS_KEY = "gke-secrets"
MODEL_STORE_KEY = "model-store"
# GKE routes a Service of type LoadBalancer to an internal passthrough load balancer with this annotation.
INTERNAL_LB_ANNOTATIONS = {"networking.gke.io/load-balancer-type": "Internal"}


GKE_METADATA_EGRESS = (EgressRule("169.254.169.254/32", 80), EgressRule("169.254.169.252/32", 988))


def target_pool(plan: GpuPoolPlan) -> TargetPool:
    """What the workload layer needs to schedule onto one GKE GPU pool."""
    return TargetPool(
        name=plan.key,
        gpu=plan.gpu,
        gpus_per_node=plan.gpus,
        vcpus=plan.vcpus,
        memory_gib=plan.memory_gib,
        labels=dict(plan.labels),
        taints=plan.taints,
    )


class GcpEnvironment(pulumi.ComponentResource):
    """Network, KMS keys, GKE with system and GPU pools, log retention, model bucket and identities."""

    target: ClusterTarget
    outputs: dict[str, Any]

    def __init__(self, name: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        project = current_project()
        protected = data_protected(spec)
        use_bucket = spec.model_store.bucket
        self.network = GcpNetwork(f"{name}-network", spec, opts=child)

        agents: dict[str, pulumi.Input[str]] = {SECRETS_KEY: project.number.apply(gke_service_agent)}
        if use_bucket and spec.model_store.customer_managed_key:
            # Asking Storage for its agent also creates the agent if the project never used one.
            storage_agent = gcp.storage.get_project_service_account_output(project=project.project_id)
            agents[MODEL_STORE_KEY] = storage_agent.member
        self.keys = GcpKeyRing(f"{name}-kms", spec, agents, protect=protected, opts=child)

        self.node_identity = GkeNodeServiceAccount(f"{name}-nodes", spec, project.project_id, opts=child)
        self.cluster = GkeCluster(
            f"{name}-gke",
            spec,
            network_id=self.network.network.id,
            subnetwork_id=self.network.subnetwork.id,
            project_id=project.project_id,
            secrets_key_id=self.keys.keys[SECRETS_KEY].id,
            node_service_account=self.node_identity.email,
            # GKE checks the key grant at creation; nodes need NAT to pull images from outside Google.
            depends_on=[self.keys.bindings[SECRETS_KEY], self.network.nat, *self.node_identity.roles.values()],
            opts=child,
        )
        self.admins = (
            GkeClusterAdmins(
                f"{name}-admins", spec, project_id=project.project_id, provider=self.cluster.provider, opts=child
            )
            if spec.cluster.admins
            else None
        )
        plans = {key: gpu_pool_plan(spec, key) for key in spec.node_pools}
        self.pools = {
            key: GkeGpuNodePool(
                f"{name}-pool-{key}",
                plan,
                cluster_id=self.cluster.cluster.id,
                cluster_location=self.cluster.cluster.location,
                service_account=self.node_identity.email,
                resource_labels=labels(spec),
                opts=child,
            )
            for key, plan in plans.items()
        }
        self.logs = GkeLogRetention(
            f"{name}-logs",
            spec,
            project_id=project.project_id,
            cluster_name=self.cluster.cluster.name,
            subnetwork_name=self.network.subnetwork.name,
            opts=child,
        )

        self.store: GcsModelStore | None = None
        self.identity: GcpWorkloadIdentity | None = None
        if use_bucket:
            store_key = self.keys.keys.get(MODEL_STORE_KEY)
            self.store = GcsModelStore(
                f"{name}-models",
                spec,
                project_id=project.project_id,
                kms_key_id=store_key.id if store_key is not None else None,
                protect=protected,
                depends_on=[self.keys.bindings[MODEL_STORE_KEY]] if store_key is not None else [],
                opts=child,
            )
            self.identity = GcpWorkloadIdentity(
                f"{name}-identity", spec, bucket=self.store.bucket.name, project_id=project.project_id, opts=child
            )

        self.target = ClusterTarget(
            provider=self.cluster.provider,
            pools={key: target_pool(plan) for key, plan in plans.items()},
            # GKE installs the NVIDIA driver and runs the device plugin on GPU nodes itself.
            needs_device_plugin=False,
            model_store_uri=self.store.uri if self.store else None,
            reader_annotations=dict(self.identity.reader_annotations) if self.identity else {},
            writer_annotations=self.identity.writer_annotations if self.identity else None,
            internal_lb_annotations=dict(INTERNAL_LB_ANNOTATIONS),
            # Workload Identity hands out tokens through the GKE metadata server on the node; default-deny
            # NetworkPolicies must let pods reach it (GKE Workload Identity docs, network policy section).
            workload_egress=GKE_METADATA_EGRESS,
        )
        self.outputs = {
            "cluster_name": self.cluster.cluster.name,
            "cluster_endpoint": self.cluster.cluster.endpoint,
            "kubeconfig": self.cluster.kubeconfig,
            "network": self.network.network.name,
        }
        if self.store and self.identity:
            self.outputs["model_store_uri"] = self.store.uri
            self.outputs["model_identities"] = {model: acc.email for model, acc in self.identity.readers.items()}
            self.outputs["staging_identity"] = self.identity.writer.email
        self.register_outputs(self.outputs)
