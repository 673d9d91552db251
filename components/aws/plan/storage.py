"""The StorageClass an EKS cluster needs for persistent volumes, as a plain Kubernetes object."""

from __future__ import annotations

from typing import Any

from inferstack.catalog.eks import eks_catalog


def ebs_storage_class_object() -> dict[str, Any]:
    """An encrypted gp3 EBS StorageClass (catalog/data/aws_eks_addons.yaml); EKS has no default StorageClass."""
    fact = eks_catalog().storage_class
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        # Not annotated as the cluster default: inferstack names it in its own claims, and a team's other
        # workloads keep whatever default they set.
        "metadata": {"name": fact.name, "labels": {"app.kubernetes.io/managed-by": "inferstack"}},
        "provisioner": fact.provisioner,
        "parameters": dict(fact.parameters),
        "volumeBindingMode": fact.volume_binding_mode,
        "allowVolumeExpansion": fact.allow_volume_expansion,
        "reclaimPolicy": "Delete",
    }
