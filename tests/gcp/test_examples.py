"""One example per public GCP component: only its required arguments, run under the offline engine.

Each example is what a user would write to use the component on its own (plans from the public planners, plain
strings where their own stack would pass Outputs); the test checks it builds the resources that make it itself.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest

from inferstack import (
    EnvironmentSpec,
    GcpEnvironment,
    GcpNetwork,
    GcsModelStore,
    GkeCluster,
    GkeComputeClass,
    GkeGpuNodePool,
    plan_compute_class,
    plan_gke_gpu_pool,
)
from inferstack.gcp.plan.cluster import plan_cluster
from inferstack.gcp.plan.network import plan_network
from inferstack.gcp.plan.nodes import plan_gke_system_pool
from inferstack.spec.models import ModelStoreSpec
from tests.component_examples import Example, check_example, public_components
from tests.conftest import OfflineRunner

SPEC = EnvironmentSpec.model_validate(
    {
        "name": "ex",
        "cloud": "gcp",
        "region": "us-central1",
        "zones": ["us-central1-a", "us-central1-b"],
        "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 2}},
    }
)
CLUSTER_ID = "projects/ex-project/locations/us-central1/clusters/ex"
NODE_ACCOUNT = "ex-nodes@ex-project.iam.gserviceaccount.com"


def gcp_environment() -> None:
    GcpEnvironment("ex", SPEC)


def gcp_network() -> None:
    GcpNetwork("ex-network", plan_network(SPEC))


def gke_cluster() -> None:
    GkeCluster(
        "ex-gke",
        plan_cluster(SPEC),
        plan_gke_system_pool(SPEC),
        network_id="projects/ex-project/global/networks/ex-vpc",
        subnetwork_id="projects/ex-project/regions/us-central1/subnetworks/ex-us-central1",
        project_id="ex-project",
        secrets_key_id="projects/ex-project/locations/us-central1/keyRings/ex/cryptoKeys/gke-secrets",
        node_service_account=NODE_ACCOUNT,
    )


def gke_gpu_node_pool() -> None:
    GkeGpuNodePool(
        "ex-l4",
        plan_gke_gpu_pool(SPEC, "l4"),
        cluster_id=CLUSTER_ID,
        cluster_location="us-central1",
        service_account=NODE_ACCOUNT,
    )


def gke_compute_class() -> None:
    # The ComputeClass is a Kubernetes object: it goes through the cluster's Kubernetes provider.
    GkeComputeClass(
        "ex-class-l4",
        plan_compute_class(SPEC, "l4"),
        service_account=NODE_ACCOUNT,
        provider=k8s.Provider("ex-k8s", kubeconfig="{}"),
    )


def gcs_model_store() -> None:
    GcsModelStore(
        "ex-models",
        ModelStoreSpec(),
        bucket_name=pulumi.Output.from_input("ex-project-ex-models"),
        location="US-CENTRAL1",
        labels={},
        kms_key_id=None,
        protect=False,
    )


EXAMPLES: dict[str, Example] = {
    "GcpEnvironment": (gcp_environment, "gcp:container/cluster:Cluster"),
    "GcpNetwork": (gcp_network, "gcp:compute/network:Network"),
    "GkeCluster": (gke_cluster, "gcp:container/cluster:Cluster"),
    "GkeGpuNodePool": (gke_gpu_node_pool, "gcp:container/nodePool:NodePool"),
    "GkeComputeClass": (gke_compute_class, "kubernetes:cloud.google.com/v1:ComputeClass"),
    "GcsModelStore": (gcs_model_store, "gcp:storage/bucket:Bucket"),
}


@pytest.mark.parametrize("component", sorted(EXAMPLES))
def test_each_public_component_runs_with_only_its_required_arguments(offline: OfflineRunner, component: str) -> None:
    check_example(offline, component, EXAMPLES[component])


def test_every_public_gcp_component_has_an_example() -> None:
    assert public_components("inferstack.gcp.") == set(EXAMPLES)
