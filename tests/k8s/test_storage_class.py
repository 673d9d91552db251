"""Every volume claim of a shipped plan names a StorageClass that exists: one the plan creates, or the cloud's
documented default; EKS has none, so its plans create an encrypted gp3 class before any claim."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.catalog.eks import eks_catalog
from inferstack.catalog.gke import gke_facts
from inferstack.infra.offline.plan import Plan
from inferstack.provider_types import K8s
from inferstack.validation import load_stack_file
from tests.conftest import shipped_plan, shipped_stacks

# Classes a cluster has without inferstack creating them, per cloud (catalog/data/gke.yaml). An existing cluster
# (local kind/minikube) keeps its own default: claims there name none.
DOCUMENTED_DEFAULTS = {"gcp": {gke_facts().default_storage_class.name}, "aws": set(), "kubernetes": {None}}


def claims(plan: Plan) -> list[tuple[str, Any]]:
    """(where, storageClassName) of every claim: PVC objects and Prometheus's volumeClaimTemplate."""
    found: list[tuple[str, Any]] = [
        (res.name, (res.inputs.get("spec") or {}).get("storageClassName"))
        for res in plan.of_type(K8s.PERSISTENT_VOLUME_CLAIM)
    ]
    for res in plan.of_type(K8s.HELM_RELEASE):
        storage = res.inputs["values"].get("prometheus", {}).get("prometheusSpec", {}).get("storageSpec")
        if storage is not None:
            found.append((res.name, storage["volumeClaimTemplate"]["spec"].get("storageClassName")))
    return found


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_claim_names_a_class_the_plan_creates_or_the_cloud_has(stack: str) -> None:
    plan = shipped_plan(stack)
    cloud = load_stack_file(shipped_stacks()[stack]).cloud
    created = {res.inputs["metadata"]["name"] for res in plan.of_type(K8s.STORAGE_CLASS)}
    missing = [(where, name) for where, name in claims(plan) if name not in created | DOCUMENTED_DEFAULTS[cloud]]
    assert not missing, f"{stack}: claims whose StorageClass would not exist (they stay Pending): {missing}"


def test_production_prometheus_on_eks_keeps_its_data_on_the_encrypted_class() -> None:
    plan = shipped_plan("aws-prod")
    (storage_class,) = plan.of_type(K8s.STORAGE_CLASS)
    fact = eks_catalog().storage_class
    assert storage_class.inputs["provisioner"] == "ebs.csi.aws.com"
    assert storage_class.inputs["parameters"]["encrypted"] == "true"
    assert storage_class.inputs["parameters"]["type"] == "gp3"
    assert storage_class.inputs["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage_class.inputs["allowVolumeExpansion"] is True
    # Prometheus's claim names it, and its release (which waits for the StatefulSet) is created after it.
    assert ("prod-workload-addons-kube-prometheus-stack", fact.name) in claims(plan)
    (release,) = [res for res in plan.of_type(K8s.HELM_RELEASE) if res.inputs["name"] == "kube-prometheus-stack"]
    assert storage_class.urn in release.options.dependencies
    # The class waits for the EBS CSI add-on that provisions its volumes.
    (driver,) = [res for res in plan.of_type("aws:eks/addon:Addon") if res.inputs["addonName"] == "aws-ebs-csi-driver"]
    assert driver.urn in storage_class.options.dependencies


def test_gke_claims_name_its_default_class_and_create_none() -> None:
    plan = shipped_plan("gcp-prod")
    assert not plan.of_type(K8s.STORAGE_CLASS)
    assert {name for _, name in claims(plan)} == {gke_facts().default_storage_class.name}
