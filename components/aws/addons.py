"""EksAddons: the core EKS managed add-ons pinned to exact builds from the catalog, with their own IRSA roles."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from inferstack.aws.identity import OidcProvider, irsa_role
from inferstack.aws.plan.policy_documents import managed_policy_arn
from inferstack.catalog.eks import EksRelease

TYPE_TOKEN = "inferstack:index:EksAddons"
# Add-ons that run as Deployments need schedulable nodes before EKS reports them healthy.
NEEDS_NODES = ("coredns", "aws-ebs-csi-driver")
# name -> (namespace, service account, AWS managed policy) of the add-ons that call AWS APIs.
ADDON_IDENTITIES = {
    "vpc-cni": ("kube-system", "aws-node", "AmazonEKS_CNI_Policy"),
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy"),
}


class EksAddons(pulumi.ComponentResource):
    """vpc-cni, kube-proxy, coredns and the EBS CSI driver at the catalog's pinned builds."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: pulumi.Input[str],
        release: EksRelease,
        oidc: OidcProvider,
        nodes: Sequence[pulumi.Resource],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.addons: dict[str, aws.eks.Addon] = {}
        for addon, version in sorted(release.addons.items()):
            role_arn: pulumi.Output[str] | None = None
            if addon in ADDON_IDENTITIES:
                namespace, account, policy = ADDON_IDENTITIES[addon]
                role = irsa_role(
                    f"{name}-{addon}",
                    oidc,
                    namespace,
                    account,
                    tags=tags,
                    opts=child,
                    managed_policy_arns=[managed_policy_arn(policy)],
                )
                role_arn = role.arn
            self.addons[addon] = aws.eks.Addon(
                f"{name}-{addon}",
                cluster_name=cluster_name,
                addon_name=addon,
                addon_version=version,
                service_account_role_arn=role_arn,
                # EKS installs self-managed vpc-cni, kube-proxy and coredns at creation: adopt them on create,
                # and keep any field a later change did not set.
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(nodes) if addon in NEEDS_NODES else []),
            )
        self.register_outputs({"versions": dict(release.addons)})
