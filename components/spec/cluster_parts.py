"""What a stack file may say about the network and the cluster: `network:` and `cluster:` (with its system pool).

Split from models.py (which imports these back) so each module stays small; field-level rules only.
"""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Literal

from pydantic import Field, PositiveInt

from inferstack.spec.base import MAX_NODES, MAX_RETENTION_DAYS, Cidr, FrozenSpec

# What creates GPU nodes. managed_pools take one capacity type per pool; karpenter and compute_class follow a
# pool's whole capacity preference list.
Provisioner = Literal["managed_pools", "karpenter", "compute_class"]
PROVISIONER_CLOUD: dict[str, str] = {"karpenter": "aws", "compute_class": "gcp"}

DEFAULT_KUBERNETES_VERSION = "1.35"  # in standard support on the version catalog's date (a test checks it)


class NetworkSpec(FrozenSpec):
    """The environment's private network (VPC) and who may reach the Kubernetes API."""

    cidr: Cidr = Field(
        default=IPv4Network("10.0.0.0/16"),
        description="Private (RFC 1918) VPC range, /16 to /20; default: 10.0.0.0/16.",
    )
    services_cidr: Cidr = Field(
        default=IPv4Network("172.20.0.0/16"),
        description="Kubernetes Service range, must not overlap the VPC; default: 172.20.0.0/16.",
    )
    nat: Literal["single", "per_zone"] = Field(
        default="single",
        description="NAT gateways: one for the VPC, or one per zone (AWS only, needs 2+ zones); default: single.",
    )
    api_access: list[Cidr] = Field(
        default_factory=list,
        description="CIDRs allowed to reach the public API endpoint; empty turns it off; default: [] (private).",
    )
    flow_logs: bool = Field(default=True, description="Record VPC flow logs; default: true.")


class SystemPoolSpec(FrozenSpec):
    """The small CPU node pool that runs cluster add-ons."""

    instance_type: str | None = Field(
        default=None,
        description="CPU instance/machine type from the catalog; default: m6i.large on AWS, e2-standard-4 on GCP.",
    )
    min: PositiveInt = Field(default=2, le=MAX_NODES, description="Minimum nodes; default: 2.")
    max: PositiveInt = Field(default=3, le=MAX_NODES, description="Maximum nodes; default: 3.")


class ClusterSpec(FrozenSpec):
    """The managed Kubernetes cluster (EKS or GKE), or the existing one for `cloud: kubernetes`."""

    kubernetes_version: str = Field(
        default=DEFAULT_KUBERNETES_VERSION,
        pattern=r"^1\.\d{2}$",
        description=f"Kubernetes minor version; default: {DEFAULT_KUBERNETES_VERSION}.",
    )
    upgrade_policy: Literal["standard", "extended"] = Field(
        default="standard",
        description="When the version leaves standard support (AWS only): standard lets EKS upgrade the cluster, "
        "extended keeps it at the extended-support rate; default: standard.",
    )
    admins: list[str] = Field(
        default_factory=list,
        description="Principals given cluster admin (AWS IAM ARNs, GCP members); default: [] (creator only).",
    )
    log_retention_days: PositiveInt | None = Field(
        default=None,
        le=MAX_RETENTION_DAYS,
        description="Retention of control-plane, flow and access logs in days (production: ≥ 365); "
        "default: 90, 365 in production.",
    )
    system_pool: SystemPoolSpec = Field(
        default_factory=SystemPoolSpec, description="The CPU system pool; default: two small nodes."
    )
    release_channel: Literal["rapid", "regular", "stable"] | None = Field(
        default=None, description="GKE release channel (GCP only); default: regular on GCP."
    )
    location: Literal["regional", "zonal"] | None = Field(
        default=None, description="GKE control plane location (GCP only); default: regional on GCP."
    )
    binary_authorization: bool | None = Field(
        default=None,
        description="GKE admits only images the project's Binary Authorization policy allows (GCP only); "
        "default: on in production.",
    )
    rbac_group_domain: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        description="Google Groups for RBAC: the domain of gke-security-groups@<domain> (GCP only); default: none.",
    )
    kubeconfig_context: str | None = Field(
        default=None,
        description="Context of an existing cluster in your kubeconfig (kubernetes only); default: current.",
    )
    key_ring_generation: PositiveInt = Field(
        default=1,
        le=999,
        description="Cloud KMS key ring generation (GCP only): raise it to deploy again after a destroy, since KMS "
        "never frees a key ring's name; default: 1 (the ring is named after the environment).",
    )
    architecture: Literal["amd64", "arm64"] | None = Field(
        default=None,
        description="Nodes' CPU (kubernetes only; arm64 on Apple silicon), picks the vllm-cpu image; default: amd64.",
    )
    provisioner: Provisioner | None = Field(
        default=None,
        description="What creates the GPU nodes: managed_pools (EKS managed node groups with the cluster-autoscaler, "
        "GKE node pools), karpenter (AWS only), compute_class (GKE custom ComputeClasses, GCP only); "
        "default: managed_pools.",
    )
    device_plugin: bool = Field(
        default=False,
        description="Install NVIDIA's device plugin with GPU Feature Discovery on the described GPU nodes (kubernetes "
        "only; leave off where the GPU operator runs); default: false.",
    )


class ColdStartSpec(FrozenSpec):
    """How a GPU pool's replicas start: opt-in accelerators (each changes node config, so it replaces the nodes)."""

    local_nvme: bool = Field(
        default=False,
        description="RAID0 the node's instance store / local SSDs under images and pod storage (needs a type with "
        "local NVMe); changing it replaces the pool's nodes; default: false.",
    )
    image_streaming: bool = Field(
        default=False,
        description="GKE image streaming: the engine starts before its image is fully pulled (gcp only); changing "
        "it replaces the pool's nodes; default: false.",
    )
    fast_image_pull: bool = Field(
        default=False,
        description="AWS: SOCI parallel pull and unpack of images (nodeadm's FastImagePull on the AL2023 EKS AMI, "
        "v20250821 or later; any registry, no SOCI index); counted only with local_nvme; changing it replaces the "
        "pool's nodes; default: false.",
    )
    compile_cache: bool = Field(
        default=False,
        description="Persist each model's torch.compile cache in the model bucket per revision and engine image: the "
        "first replica compiles and uploads it, later ones load it (needs a bucket and the GPU vLLM engine; the "
        "nodes do not change); default: false.",
    )

    @property
    def accelerated(self) -> bool:
        """Whether any accelerator is on (then the streaming loader's concurrency is tuned too)."""
        return self.local_nvme or self.image_streaming or self.fast_image_pull or self.compile_cache
