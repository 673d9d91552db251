"""The seam between a cluster and the workload layer.

A cloud cluster component (EKS, GKE) or the bring-your-own-cluster target fills a `ClusterTarget`;
the workload layer (`components/k8s/`) reads only this, never a cloud module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    # Annotations only: the pure planners (planning/scheduling.py) build TargetPools without loading an SDK.
    import pulumi
    import pulumi_kubernetes as k8s

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
# The nodes' CPU architecture, in the spelling of the kubernetes.io/arch node label.
Architecture = Literal["amd64", "arm64"]
ARCH_LABEL = "kubernetes.io/arch"

GPU_TAINT_KEY = "nvidia.com/gpu"
GPU_TAINT_EFFECT: TaintEffect = "NoSchedule"
POOL_LABEL = "inferstack.dev/pool"
GPU_LABEL = "inferstack.dev/gpu"
# The port the inference engine listens on (vLLM's default): cloud firewalls open it to load-balancer
# health checks only, and the workload layer must serve on it.
SERVING_PORT = 8000


@dataclass(frozen=True)
class Taint:
    """A node taint the pool's pods must tolerate."""

    key: str
    value: str
    effect: TaintEffect = GPU_TAINT_EFFECT
    # Exists: tolerated whatever the node's value (the value is then ""). Only for nodes inferstack did not build
    # (`existing:` pools), whose taint values it cannot know; its own pools' taints are matched exactly.
    operator: Literal["Equal", "Exists"] = "Equal"


@dataclass(frozen=True)
class EgressRule:
    """A destination (CIDR and TCP port) the workload's pods must reach beyond HTTPS, e.g. a metadata server."""

    cidr: str
    port: int


@dataclass(frozen=True)
class TargetPool:
    """What a workload needs to know about one GPU node pool to be scheduled onto it."""

    name: str
    gpu: str
    gpus_per_node: int
    vcpus: int
    memory_gib: float
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    # Cold-start accelerators the pool's nodes have (its `cold_start:`): they change the startupProbe budget.
    local_nvme: bool = False
    image_streaming: bool = False
    fast_image_pull: bool = False
    # The model's torch.compile cache persisted in the bucket (workload only; the nodes do not change).
    compile_cache: bool = False
    # The cloud whose GPU node boot a scale-out onto a new node waits for (catalog startup.node_ready_s); None: none.
    cloud: str | None = None
    # A pod annotation the pool's provisioner reads as "do not disrupt for this long after the pod starts"
    # (Karpenter's karpenter.sh/do-not-disrupt with a duration); the workload sets it to its loading budget.
    loading_guard_annotation: str | None = None


@dataclass(frozen=True)
class ClusterTarget:
    """Everything the workload layer may use from the cluster it deploys to."""

    provider: k8s.Provider
    pools: dict[str, TargetPool]
    needs_device_plugin: bool
    model_store_uri: pulumi.Output[str] | None = None
    # Annotations that bind a model's Kubernetes service account to its cloud identity, by model key.
    reader_annotations: dict[str, pulumi.Output[dict[str, str]]] = field(default_factory=dict)
    writer_annotations: pulumi.Output[dict[str, str]] | None = None
    internal_lb_annotations: dict[str, str] = field(default_factory=dict)
    # Extra egress the serving and staging pods need for the cloud identity (e.g. GKE's metadata server
    # 169.254.169.254/32:80 and 169.254.169.252/32:988 under Workload Identity); HTTPS (443) is always allowed.
    workload_egress: tuple[EgressRule, ...] = ()
    # A cluster inferstack did not size (a laptop kind/minikube, or any brought-your-own cluster): add-ons are
    # installed small (Prometheus with a day of retention, no GPU add-ons), since its capacity is unknown.
    minimal_addons: bool = False
    # The cluster collects GPU metrics itself (GKE's DCGM package): no DCGM exporter chart. On GKE COS nodes the chart
    # crash-loops, since the driver is injected only into containers that request a GPU (catalog/data/gke.yaml).
    managed_gpu_metrics: bool = False
    # The CPU architecture of the nodes CPU engines run on (GPU pools are x86-64 on both clouds): picks the image.
    node_architecture: Architecture = "amd64"
    # The StorageClass every volume claim names; None: the cluster's default (an existing cluster's own).
    storage_class: str | None = None
    # The StorageClass object to create before any claim (EKS has none by default); None: the class is the cloud's.
    storage_class_object: dict[str, Any] | None = None
    # What the StorageClass object waits for: the driver that provisions its volumes (EKS's EBS CSI add-on), so a
    # Helm release waiting on a claim (Prometheus) does not spend its timeout before any volume can be made.
    storage_after: tuple[pulumi.Resource, ...] = ()
    # The pools are nodes the cluster already had (`existing:`): they carry none of inferstack's labels, so GPU
    # DaemonSets select them by NVIDIA's own labels (the device plugin chart's default affinity).
    existing_nodes: bool = False
