"""The kubeconfig of a GKE cluster, as a pure function of its name, endpoint and CA certificate.

It carries no credential: kubectl and the Pulumi Kubernetes provider get a short-lived token from
`gke-gcloud-auth-plugin` (installed with `gcloud components install gke-gcloud-auth-plugin`).
"""

from __future__ import annotations

import json

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
AUTH_PLUGIN = "gke-gcloud-auth-plugin"
INSTALL_HINT = (
    "Install gke-gcloud-auth-plugin for use with kubectl by following "
    "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin"
)


def gke_kubeconfig(context: str, endpoint: str, ca_certificate: str) -> str:
    """A kubeconfig (JSON, which is valid YAML) with one cluster, one context and an exec-plugin user."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": context,
                "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca_certificate},
            }
        ],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
        "users": [
            {
                "name": context,
                "user": {
                    "exec": {
                        "apiVersion": EXEC_API_VERSION,
                        "command": AUTH_PLUGIN,
                        "installHint": INSTALL_HINT,
                        "provideClusterInfo": True,
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }
    return json.dumps(config, indent=2, sort_keys=True)
