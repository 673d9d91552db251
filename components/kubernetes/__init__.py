"""The bring-your-own-cluster target: an existing Kubernetes cluster, reached through a kubeconfig context."""

from inferstack.kubernetes.existing_cluster import ExistingCluster

__all__ = ["ExistingCluster"]
