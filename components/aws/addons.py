"""EksAddons: the core EKS managed add-ons pinned to exact builds from the catalog, with their own IRSA roles.

Two phases, as terraform-aws-eks does it: the add-ons the nodes need at boot (the VPC CNI with its network policy
agent) are created with the component, before the node groups, which then depend on them; the add-ons that run as
Deployments (coredns, the EBS CSI controller) are created by `after_nodes`, once there are nodes to schedule on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from inferstack.aws.identity import OidcProvider, irsa_role
from inferstack.aws.plan.policy_documents import managed_policy_arn
from inferstack.catalog.eks import AddonConfiguration, CoreAddon, EksRelease

TYPE_TOKEN = "inferstack:index:EksAddons"
# name -> (namespace, service account, AWS managed policy) of the add-ons that call AWS APIs.
ADDON_IDENTITIES = {
    "vpc-cni": ("kube-system", "aws-node", "AmazonEKS_CNI_Policy"),
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy"),
}


def configuration_values(configuration: AddonConfiguration | None) -> str | None:
    """The add-on's configurationValues as the JSON text EKS takes, or None when it has none."""
    return json.dumps(dict(configuration.values), sort_keys=True) if configuration else None


class EksAddons(pulumi.ComponentResource):
    """vpc-cni, kube-proxy, coredns and the EBS CSI driver at the catalog's pinned builds."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: pulumi.Input[str],
        release: EksRelease,
        configuration: Mapping[CoreAddon, AddonConfiguration],
        oidc: OidcProvider,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._cluster_name, self._release = name, cluster_name, release
        self._configuration, self._oidc, self._tags = configuration, oidc, tags
        self.addons: dict[str, aws.eks.Addon] = {}
        for addon in sorted(release.addons):
            if self._before_compute(addon):
                self._addon(addon, depends_on=[])

    @property
    def before_compute(self) -> list[pulumi.Resource]:
        """The add-ons the node groups must wait for."""
        return [self.addons[addon] for addon in sorted(self._release.addons) if self._before_compute(addon)]

    def after_nodes(self, nodes: Sequence[pulumi.Resource]) -> None:
        """Create the remaining add-ons once `nodes` exist (Deployments need schedulable nodes to turn healthy)."""
        for addon in sorted(self._release.addons):
            if not self._before_compute(addon):
                self._addon(addon, depends_on=list(nodes) if addon in NEEDS_NODES else [])
        self.register_outputs({"versions": dict(self._release.addons)})

    def _before_compute(self, addon: CoreAddon) -> bool:
        found = self._configuration.get(addon)
        return found is not None and found.before_compute

    def _addon(self, addon: CoreAddon, depends_on: list[pulumi.Resource]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        role_arn: pulumi.Output[str] | None = None
        if addon in ADDON_IDENTITIES:
            namespace, account, policy = ADDON_IDENTITIES[addon]
            role = irsa_role(
                f"{self._name}-{addon}",
                self._oidc,
                namespace,
                account,
                tags=self._tags,
                opts=child,
                managed_policy_arns=[managed_policy_arn(policy)],
            )
            role_arn = role.arn
        self.addons[addon] = aws.eks.Addon(
            f"{self._name}-{addon}",
            cluster_name=self._cluster_name,
            addon_name=addon,
            # None (no published build found for this minor): EKS installs its default build for the cluster.
            addon_version=self._release.addons[addon],
            configuration_values=configuration_values(self._configuration.get(addon)),
            service_account_role_arn=role_arn,
            # EKS installs self-managed vpc-cni, kube-proxy and coredns at creation: adopt them on create,
            # and keep any field a later change did not set.
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )


# Add-ons that run as Deployments need schedulable nodes before EKS reports them healthy.
NEEDS_NODES = ("coredns", "aws-ebs-csi-driver")
