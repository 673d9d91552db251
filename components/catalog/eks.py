"""EKS facts as typed data: pinned add-on builds and autoscaler chart per Kubernetes minor, AMI type per GPU.

Read from `data/aws_eks_addons.yaml`; every entry carries its source and the date it was read.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inferstack.catalog.lookup import load_file

EKS_FILE = "aws_eks_addons.yaml"

AmiType = Literal[
    "AL2023_x86_64_STANDARD",
    "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_STANDARD",
    "AL2023_ARM_64_NVIDIA",
    "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_x86_64_NVIDIA",
]
CoreAddon = Literal["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Fact(_Strict):
    source: str = Field(min_length=8, description="Where the figures come from.")
    as_of: dt.date = Field(description="The date the figures were read from the source.")


class AutoscalerPin(_Strict):
    """The cluster-autoscaler chart and image for one Kubernetes minor version."""

    chart_version: str = Field(description="Helm chart version of kubernetes.github.io/autoscaler.")
    image_tag: str = Field(pattern=r"^v\d+\.\d+\.\d+$", description="Image tag; its minor equals Kubernetes'.")


class EksRelease(_Fact):
    """Everything pinned for one EKS Kubernetes minor version."""

    # None: no published build was found for this minor by the catalog date, so EKS installs its default one.
    addons: dict[CoreAddon, str | None] = Field(description="Managed add-on name to exact EKS build, or null.")
    cluster_autoscaler: AutoscalerPin


class AddonConfiguration(_Fact):
    """The configurationValues one managed add-on is created with, and the oldest build that accepts them."""

    values: dict[str, str] = Field(description="The add-on's configuration keys and values (JSON strings).")
    min_version: str = Field(pattern=r"^v\d+\.\d+\.\d+", description="Oldest add-on build with these keys.")
    before_compute: bool = Field(description="Created before the node groups (their pods need it at boot).")


class AutoscalerChart(_Fact):
    """Where the cluster-autoscaler chart and image come from."""

    repository: str
    chart: str
    image_repository: str


class GpuAmi(_Fact):
    """The EKS managed node group AMI type for one GPU kind."""

    ami_type: AmiType


class StorageClassFact(_Fact):
    """The StorageClass EKS lacks: EBS volumes through the EBS CSI add-on, encrypted, bound where the pod runs."""

    name: str = Field(description="The StorageClass's name; volume claims name it.")
    provisioner: str = Field(description="The CSI driver that creates the volumes.")
    parameters: dict[str, str] = Field(description="CreateVolume parameters (strings, as the driver reads them).")
    volume_binding_mode: Literal["WaitForFirstConsumer", "Immediate"] = Field(description="When volumes are made.")
    allow_volume_expansion: bool = Field(description="Whether a claim may grow in place.")


class KarpenterAmi(_Fact):
    """The EKS-optimized AMI alias Karpenter's EC2NodeClasses select (family@release, pinned, never latest)."""

    alias: str = Field(pattern=r"^(al2023|bottlerocket)@v[0-9][0-9.]*$", description="The amiSelectorTerms alias.")


class EksCatalog(_Strict):
    """The whole EKS data file."""

    kubernetes_versions: dict[str, EksRelease] = Field(min_length=1)
    addon_configuration: dict[CoreAddon, AddonConfiguration]
    cluster_autoscaler_chart: AutoscalerChart
    gpu_ami_types: dict[str, GpuAmi]
    cpu_ami_type: AmiType
    storage_class: StorageClassFact
    karpenter_ami: KarpenterAmi


@cache
def eks_catalog() -> EksCatalog:
    """The parsed EKS data file (loaded once)."""
    return load_file(EksCatalog, EKS_FILE)


def eks_release(kubernetes_version: str) -> EksRelease | None:
    """The pinned add-ons and autoscaler of one Kubernetes minor version, or None when not pinned."""
    return eks_catalog().kubernetes_versions.get(kubernetes_version)


def gpu_ami_type(gpu: str) -> AmiType | None:
    """The node AMI type of a GPU kind, or None when the catalog has no AMI for it."""
    entry = eks_catalog().gpu_ami_types.get(gpu)
    return entry.ami_type if entry else None
