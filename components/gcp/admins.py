"""GkeClusterAdmins: the spec's `cluster.admins` get cluster-admin, and just enough IAM to fetch credentials."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from inferstack.gcp.plan.cluster import CLUSTER_VIEWER_ROLE, ClusterAdmin
from inferstack.planning.names import gke_admin_name

TYPE_TOKEN = "inferstack:index:GkeClusterAdmins"


class GkeClusterAdmins(pulumi.ComponentResource):
    """Kubernetes RBAC cluster-admin for each admin; IAM clusterViewer so `get-credentials` works.

    GKE's IAM roles that reach the Kubernetes API (container.admin, container.developer) hold for every
    cluster in the project, so admin rights are granted in this cluster's RBAC instead.
    """

    def __init__(
        self,
        name: str,
        admins: Sequence[ClusterAdmin],
        *,
        project_id: pulumi.Input[str],
        provider: k8s.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.viewers = [
            gcp.projects.IAMMember(
                f"{name}-viewer-{gke_admin_name(admin.member)}",
                project=project_id,
                role=CLUSTER_VIEWER_ROLE,
                member=admin.member,
                opts=child,
            )
            for admin in admins
        ]
        self.binding = k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-binding",
            metadata={"name": "inferstack-cluster-admins", "labels": {"app.kubernetes.io/managed-by": "inferstack"}},
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            subjects=[
                {"kind": "User", "name": admin.username, "api_group": "rbac.authorization.k8s.io"} for admin in admins
            ],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        self.register_outputs({})
