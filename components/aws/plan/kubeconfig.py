"""The kubeconfig of an EKS cluster as a pure function of its name, endpoint, CA and region.

Authentication is a short-lived token from `aws eks get-token` (the AWS CLI), so the kubeconfig holds no
credential; it is still exported as a secret because it names the endpoint and the CA of a private cluster.
"""

from __future__ import annotations

import yaml

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig (YAML) with one cluster, one user authenticating through `aws eks get-token`, one context."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": EXEC_API_VERSION,
                        "command": "aws",
                        "args": [
                            "--region",
                            region,
                            "eks",
                            "get-token",
                            "--cluster-name",
                            cluster_name,
                            "--output",
                            "json",
                        ],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "preferences": {},
    }
    return yaml.safe_dump(document, sort_keys=False)
