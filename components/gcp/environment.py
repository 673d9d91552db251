"""GcpEnvironment: the whole GCP layer for one spec, and the `ClusterTarget` the workload layer deploys to.

The only GCP class that reads the spec: it calls the pure planners (`gcp/plan/`) and hands each component its
plan and the Outputs it needs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from inferstack.catalog.gke import gke_facts
from inferstack.gcp.admins import GkeClusterAdmins
from inferstack.gcp.cluster import GkeCluster
from inferstack.gcp.compute_class import GkeComputeClass
from inferstack.gcp.identity import GkeWorkloadIdentities
from inferstack.gcp.keys import GcpKeyRing
from inferstack.gcp.logs import GkeLogRetention
from inferstack.gcp.model_store import GcsModelStore
from inferstack.gcp.network import GcpNetwork
from inferstack.gcp.node_identity import GkeNodeServiceAccount
from inferstack.gcp.node_pool import GkeGpuNodePool
from inferstack.gcp.plan.cluster import binary_authorization, plan_cluster, plan_cluster_admins, plan_log_retention
from inferstack.gcp.plan.compute_class import (
    compute_class_target,
    plan_autoprovisioning,
    plan_compute_class,
    uses_compute_classes,
)
from inferstack.gcp.plan.identity import gke_service_agent, plan_node_identity, plan_workload_identities
from inferstack.gcp.plan.keys import MODEL_STORE_KEY, SECRETS_KEY, key_names, plan_key_ring
from inferstack.gcp.plan.labels import resource_labels
from inferstack.gcp.plan.model_store import access_logs_bucket_name, bucket_location, bucket_name
from inferstack.gcp.plan.network import plan_network
from inferstack.gcp.plan.nodes import plan_gke_gpu_pool, plan_gke_system_pool
from inferstack.gcp.project import current_project, environment_provider
from inferstack.planning.defaults import audit_logs_protected, data_protected, log_retention_days
from inferstack.planning.scheduling import target_pool
from inferstack.provider_types import Gcp
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import ClusterTarget, EgressRule, TargetPool

TYPE_TOKEN = "inferstack:index:GcpEnvironment"
# GKE routes a Service of type LoadBalancer to an internal passthrough load balancer with this annotation.
INTERNAL_LB_ANNOTATIONS = {"networking.gke.io/load-balancer-type": "Internal"}
GKE_METADATA_EGRESS = (EgressRule("169.254.169.254/32", 80), EgressRule("169.254.169.252/32", 988))


class GcpEnvironment(pulumi.ComponentResource):
    """Network, KMS keys, GKE with system and GPU pools, log retention, model bucket and identities."""

    target: ClusterTarget
    outputs: dict[str, Any]

    def __init__(
        self,
        name: str,
        spec: EnvironmentSpec,
        opts: pulumi.ResourceOptions | None = None,
        *,
        project: str | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        # Every resource and invoke uses one explicit provider: the caller's, or one set to the spec's region and
        # the given project (None: the provider's own fallbacks, GOOGLE_PROJECT and the like), registered only once
        # the project's APIs are on.
        providers = environment_provider(
            self,
            name,
            spec.region,
            project,
            self.get_provider(Gcp.NETWORK),
            binary_authorization=binary_authorization(spec),
        )
        self.provider, self.services = providers.provider, providers.services
        child = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        invoke = pulumi.InvokeOptions(provider=self.provider)
        project_facts = current_project(invoke)
        protected = data_protected(spec)
        self.network = GcpNetwork(f"{name}-network", plan_network(spec), opts=child)

        agents: dict[str, pulumi.Input[str]] = {SECRETS_KEY: project_facts.number.apply(gke_service_agent)}
        if MODEL_STORE_KEY in key_names(spec):
            # Asking Storage for its agent also creates the agent if the project never used one.
            storage_agent = gcp.storage.get_project_service_account_output(
                project=project_facts.project_id, opts=invoke
            )
            agents[MODEL_STORE_KEY] = storage_agent.member
        self.keys = GcpKeyRing(f"{name}-kms", plan_key_ring(spec), agents, protect=protected, opts=child)

        self.node_identity = GkeNodeServiceAccount(
            f"{name}-nodes", plan_node_identity(spec), project_facts.project_id, opts=child
        )
        self.cluster = GkeCluster(
            f"{name}-gke",
            plan_cluster(spec),
            plan_gke_system_pool(spec),
            network_id=self.network.network.id,
            subnetwork_id=self.network.subnetwork.id,
            project_id=project_facts.project_id,
            secrets_key_id=self.keys.keys[SECRETS_KEY].id,
            node_service_account=self.node_identity.email,
            autoprovisioning=plan_autoprovisioning(spec),
            # GKE checks the key grant at creation; nodes need NAT to pull images from outside Google.
            depends_on=[self.keys.bindings[SECRETS_KEY], self.network.nat, *self.node_identity.roles.values()],
            opts=child,
        )
        admins = plan_cluster_admins(spec)
        self.admins = (
            GkeClusterAdmins(
                f"{name}-admins",
                admins,
                project_id=project_facts.project_id,
                provider=self.cluster.provider,
                opts=child,
            )
            if admins
            else None
        )
        self.pools: dict[str, GkeGpuNodePool] = {}
        self.compute_classes: dict[str, GkeComputeClass] = {}
        pools: dict[str, TargetPool] = {}
        if uses_compute_classes(spec):
            # GKE creates the GPU nodes from each pool's ComputeClass (node pool auto-creation): no node pools.
            for key in spec.node_pools:
                class_plan = plan_compute_class(spec, key)
                self.compute_classes[key] = GkeComputeClass(
                    f"{name}-class-{key}",
                    class_plan,
                    service_account=self.node_identity.email,
                    provider=self.cluster.provider,
                    opts=child,
                )
                pools[key] = compute_class_target(class_plan)
        else:
            for key in spec.node_pools:
                plan = plan_gke_gpu_pool(spec, key)
                self.pools[key] = GkeGpuNodePool(
                    f"{name}-pool-{key}",
                    plan,
                    cluster_id=self.cluster.cluster.id,
                    cluster_location=self.cluster.cluster.location,
                    service_account=self.node_identity.email,
                    opts=child,
                )
                pools[key] = target_pool(plan.scheduling, "gcp")
        self.logs = GkeLogRetention(
            f"{name}-logs",
            plan_log_retention(spec),
            project_id=project_facts.project_id,
            cluster_name=self.cluster.cluster.name,
            subnetwork_name=self.network.subnetwork.name,
            opts=child,
        )

        self.store: GcsModelStore | None = None
        self.identity: GkeWorkloadIdentities | None = None
        if spec.model_store.bucket:
            store_key = self.keys.keys.get(MODEL_STORE_KEY)
            self.store = GcsModelStore(
                f"{name}-models",
                spec.model_store,
                bucket_name=project_facts.project_id.apply(lambda project_id: bucket_name(project_id, spec.name)),
                location=bucket_location(spec),
                labels=resource_labels(spec),
                kms_key_id=store_key.id if store_key is not None else None,
                protect=protected,
                depends_on=[self.keys.bindings[MODEL_STORE_KEY]] if store_key is not None else [],
                # Production records who read and wrote the weights (Cloud Storage usage logs).
                access_logs_bucket_name=(
                    project_facts.project_id.apply(lambda project_id: access_logs_bucket_name(project_id, spec.name))
                    if spec.production
                    else None
                ),
                log_retention_days=log_retention_days(spec),
                protect_logs=audit_logs_protected(spec),
                opts=child,
            )
            self.identity = GkeWorkloadIdentities(
                f"{name}-identity",
                plan_workload_identities(spec),
                bucket=self.store.bucket.name,
                project_id=project_facts.project_id,
                opts=child,
            )

        self.target = ClusterTarget(
            provider=self.cluster.provider,
            pools=pools,
            # GKE installs the NVIDIA driver and runs the device plugin on GPU nodes itself.
            needs_device_plugin=False,
            # GKE's DCGM package (monitoringConfig) exports GPU metrics; the chart would crash-loop on COS nodes.
            managed_gpu_metrics=True,
            model_store_uri=self.store.uri if self.store else None,
            reader_annotations=dict(self.identity.reader_annotations) if self.identity else {},
            writer_annotations=self.identity.writer_annotations if self.identity else None,
            internal_lb_annotations=dict(INTERNAL_LB_ANNOTATIONS),
            # Workload Identity hands out tokens through the GKE metadata server on the node; default-deny
            # NetworkPolicies must let pods reach it (GKE Workload Identity docs, network policy section).
            workload_egress=GKE_METADATA_EGRESS,
            # GKE's own default class (catalog/data/gke.yaml): nothing to create.
            storage_class=gke_facts().default_storage_class.name,
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
