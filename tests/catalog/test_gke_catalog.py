"""The GKE facts: managed DCGM covers every GKE minor offered, the API list is well-formed, ports do not overlap."""

from __future__ import annotations

from inferstack.catalog.gke import gke_facts
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.catalog.versions import versions_catalog


def minor(version: str) -> tuple[int, int]:
    major, minor_part = version.split(".")[:2]
    return int(major), int(minor_part)


def test_every_offered_gke_minor_has_managed_dcgm_by_default() -> None:
    since = minor(gke_facts().managed_gpu_metrics.default_from_version)
    offered = versions_catalog().clouds["gcp"].versions
    assert offered and all(minor(version) >= since for version in offered), sorted(offered)


def test_project_services_are_google_api_names() -> None:
    services = gke_facts().project_services.services
    assert all(name.endswith(".googleapis.com") and why for name, why in services.items())
    # Enabling needs these two already on: listing them would suggest inferstack could turn them on.
    assert not {"serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"} & set(services)


def test_add_on_ports_are_tcp_ports() -> None:
    for key, chart in k8s_addons().charts.items():
        assert all(0 < port < 65536 for port in chart.control_plane_ports), key
    assert set(gke_facts().control_plane.open_ports) == {443, 10250}
