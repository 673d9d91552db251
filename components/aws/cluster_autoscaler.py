"""EksClusterAutoscaler: the pinned cluster-autoscaler Helm chart with a least-privilege IRSA role.

It discovers the managed node groups by the tags EKS puts on their Auto Scaling groups, and reads the
node-template tags of empty pools (plan/nodes.py, autoscaler_tags) to scale them up from zero.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from inferstack.aws.identity import ROLE_ARN_ANNOTATION, OidcProvider, irsa_role
from inferstack.aws.plan.policy_documents import cluster_autoscaler_policy
from inferstack.catalog.eks import AutoscalerChart, AutoscalerPin
from inferstack.renames import formerly

TYPE_TOKEN = "inferstack:index:EksClusterAutoscaler"
FORMER_TYPE_TOKEN = "inferstack:index:ClusterAutoscaler"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"
RELEASE_NAME = "cluster-autoscaler"


def autoscaler_values(
    *,
    cluster_name: str,
    region: str,
    role_arn: str,
    image_repository: str,
    image_tag: str,
    node_selector: dict[str, str],
) -> dict[str, Any]:
    """Helm values of the cluster-autoscaler chart."""
    return {
        "cloudProvider": "aws",
        "awsRegion": region,  # IMDS is out of reach of pods (hop limit 1): the region must be given
        "autoDiscovery": {"clusterName": cluster_name},
        "image": {"repository": image_repository, "tag": image_tag},
        "rbac": {
            "serviceAccount": {
                "create": True,
                "name": SERVICE_ACCOUNT,
                "annotations": {ROLE_ARN_ANNOTATION: role_arn},
            }
        },
        "extraArgs": {
            # Same-shaped pools across zones grow together instead of piling into one zone.
            "balance-similar-node-groups": True,
            "expander": "least-waste",
            # Engine pods mount an in-memory emptyDir for /dev/shm: counted as local storage, it would keep
            # every idle GPU node alive.
            "skip-nodes-with-local-storage": False,
        },
        "nodeSelector": node_selector,
        "podDisruptionBudget": {"maxUnavailable": 1},
    }


class EksClusterAutoscaler(pulumi.ComponentResource):
    """The cluster autoscaler in kube-system, on the system pool, allowed to resize only this cluster's groups."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        region: str,
        account_id: pulumi.Input[str],
        oidc: OidcProvider,
        chart: AutoscalerChart,
        pin: AutoscalerPin,
        node_selector: dict[str, str],
        provider: k8s.Provider,
        depends_on: Sequence[pulumi.Resource],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, formerly(opts, FORMER_TYPE_TOKEN))
        child = pulumi.ResourceOptions(parent=self)
        policy = pulumi.Output.from_input(account_id).apply(
            lambda account: json.dumps(cluster_autoscaler_policy(cluster_name, region, account))
        )
        role = irsa_role(f"{name}-role", oidc, NAMESPACE, SERVICE_ACCOUNT, tags=tags, opts=child, policy=policy)
        values = role.arn.apply(
            lambda arn: autoscaler_values(
                cluster_name=cluster_name,
                region=region,
                role_arn=arn,
                image_repository=chart.image_repository,
                image_tag=pin.image_tag,
                node_selector=node_selector,
            )
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=RELEASE_NAME,
            chart=chart.chart,
            version=pin.chart_version,
            repository_opts={"repo": chart.repository},
            namespace=NAMESPACE,
            values=values,
            atomic=True,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=list(depends_on)),
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": role.arn})
