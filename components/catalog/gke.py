"""GKE behaviour as typed data: managed GPU metrics, control-plane ports, project APIs, key ring lifetime.

Read from `data/gke.yaml`; every entry carries its source and the date it was read.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from inferstack.catalog.lookup import load_file


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=8, description="Where the fact comes from.")
    as_of: dt.date = Field(description="The date the fact was read from the source.")


class ManagedGpuMetrics(_Fact):
    """GKE's own DCGM package: the monitoring component that turns it on and what it needs."""

    monitoring_component: str = Field(description="The monitoringConfig.enableComponents value.")
    needs_managed_prometheus: bool = Field(description="Whether Managed Service for Prometheus must be on.")
    default_from_version: str = Field(description="GKE version from which new clusters have it on by default.")
    in_cluster_prometheus: bool = Field(description="Whether the in-cluster Prometheus can read these metrics.")


class ControlPlane(_Fact):
    """What GKE's own firewall rule lets the control plane reach on a private cluster's nodes."""

    open_ports: tuple[PositiveInt, ...] = Field(min_length=1, description="TCP ports open from the control plane.")


class ProjectServices(_Fact):
    """The Google APIs the environment's resources call, each with what needs it."""

    services: dict[str, str] = Field(min_length=1, description="API name -> what uses it.")
    binary_authorization_services: dict[str, str] = Field(
        description="APIs enabled only when the cluster enforces Binary Authorization: API name -> what uses it."
    )
    prerequisites: tuple[str, ...] = Field(description="APIs that must be on before any can be enabled.")
    resource_apis: dict[str, str] = Field(description="Resource type module (gcp:<module>/...) -> the API it calls.")


class KeyRingLifetime(_Fact):
    """Whether Cloud KMS ever deletes a key ring or key (and so frees its name)."""

    deletable: bool = Field(description="False: destroy only forgets the ring; its name is taken for good.")


class DefaultStorageClass(_Fact):
    """The StorageClass GKE clusters have by default, which inferstack's volume claims name."""

    name: str = Field(description="The StorageClass's name.")


class GkeFacts(BaseModel):
    """The whole gke.yaml file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    managed_gpu_metrics: ManagedGpuMetrics
    control_plane: ControlPlane
    project_services: ProjectServices
    key_ring: KeyRingLifetime
    default_storage_class: DefaultStorageClass


@cache
def gke_facts() -> GkeFacts:
    """The GKE facts of catalog/data/gke.yaml."""
    return load_file(GkeFacts, "gke.yaml")
