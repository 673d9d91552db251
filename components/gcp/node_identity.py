"""GkeNodeServiceAccount: the dedicated, least-privilege Google identity of every GKE node."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plan.identity import GkeNodeIdentityPlan

TYPE_TOKEN = "inferstack:index:GkeNodeServiceAccount"


class GkeNodeServiceAccount(pulumi.ComponentResource):
    """A node identity with only logging, monitoring and image-pull roles (never the default compute account).

    One account serves all pools of the environment: pods never see it (GKE_METADATA hides the node's
    credentials from them and Workload Identity gives each model its own), so per-pool accounts would add
    accounts without narrowing anything.
    """

    account: gcp.serviceaccount.Account
    email: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        plan: GkeNodeIdentityPlan,
        project_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.account = gcp.serviceaccount.Account(
            f"{name}-account",
            account_id=plan.account_id,
            display_name=plan.display_name,
            description="Node identity: writes logs and metrics, pulls images; nothing else.",
            opts=child,
        )
        self.email = self.account.email
        member = self.email.apply(lambda email: f"serviceAccount:{email}")
        self.roles = {
            role: gcp.projects.IAMMember(
                f"{name}-{role.removeprefix('roles/').replace('.', '-').lower()}",
                project=project_id,
                role=role,
                member=member,
                opts=child,
            )
            for role in plan.roles
        }
        self.register_outputs({"email": self.email})
