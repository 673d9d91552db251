"""EksCluster: the EKS control plane with encrypted secrets, audit logs, access entries, IRSA and a provider.

The cluster uses the API authentication mode: admins are EKS access entries (reviewable resources), not edits to
the aws-auth ConfigMap. The Kubernetes provider is built from a kubeconfig that authenticates with
`aws eks get-token`, so it carries no long-lived credential.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from inferstack.aws.identity import OidcProvider, issuer_host
from inferstack.aws.plan.key_policies import eks_secrets_key_policy
from inferstack.aws.plan.kubeconfig import kubeconfig
from inferstack.aws.plan.logging import DEV_CONTROL_PLANE_LOGS, control_plane_log_group
from inferstack.aws.plan.policy_documents import STS_AUDIENCE, managed_policy_arn, service_trust_policy
from inferstack.planning.names import eks_admin_name

TYPE_TOKEN = "inferstack:index:EksCluster"
ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
# Nodes pull images and join the cluster; the VPC CNI's permissions live on its own IRSA role (addons.py).
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster: KMS-encrypted secrets, control-plane logs, private endpoint, access entries, IRSA provider."""

    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    provider: k8s.Provider
    oidc: OidcProvider
    node_role: aws.iam.Role

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        region: str,
        kubernetes_version: str,
        upgrade_policy: str = "standard",
        subnet_ids: Sequence[pulumi.Input[str]],
        security_group_id: pulumi.Input[str],
        services_cidr: str,
        public_access_cidrs: Sequence[str],
        admins: Sequence[str],
        log_retention_days: int,
        protect: bool,
        tags: dict[str, str],
        account_id: pulumi.Input[str],
        protect_logs: bool = False,
        logs_key_arn: pulumi.Input[str] | None = None,
        control_plane_logs: Sequence[str] = DEV_CONTROL_PLANE_LOGS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=protect)
        role = aws.iam.Role(
            f"{name}-cluster-role",
            assume_role_policy=json.dumps(service_trust_policy("eks.amazonaws.com")),
            tags=tags,
            opts=child,
        )
        key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"Envelope encryption of Kubernetes secrets in EKS cluster {cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(account_id, role.arn).apply(
                lambda values: json.dumps(eks_secrets_key_policy(values[0], region, values[1]))
            ),
            tags=tags,
            opts=kept,
        )
        aws.kms.Alias(
            f"{name}-secrets-key", name=f"alias/{cluster_name}-eks-secrets", target_key_id=key.key_id, opts=child
        )
        # EKS writes to this group by name; creating it first is what gives the logs a retention.
        logs = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=control_plane_log_group(cluster_name),
            retention_in_days=log_retention_days,
            kms_key_id=logs_key_arn,
            tags=tags,
            # The control-plane audit log: kept in production whatever model_store.protect says.
            opts=pulumi.ResourceOptions(parent=self, protect=protect_logs),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-cluster-role-{policy}", role=role.name, policy_arn=managed_policy_arn(policy), opts=child
            )
            for policy in CLUSTER_POLICIES
        ]
        public = bool(public_access_cidrs)
        vpc_config: dict[str, object] = {
            "subnet_ids": list(subnet_ids),
            "security_group_ids": [security_group_id],
            "endpoint_private_access": True,
            "endpoint_public_access": public,
        }
        if public:
            vpc_config["public_access_cidrs"] = list(public_access_cidrs)
        cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=cluster_name,
            version=kubernetes_version,
            role_arn=role.arn,
            vpc_config=vpc_config,  # pyright: ignore[reportArgumentType]
            encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(control_plane_logs),
            kubernetes_network_config={"service_ipv4_cidr": services_cidr},
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            # STANDARD: EKS upgrades the cluster when its version leaves standard support; EXTENDED keeps it for
            # 12 more months at the extended-support rate (validation warns either way, kubernetes_versions.yaml).
            upgrade_policy={"support_type": upgrade_policy.upper()},
            deletion_protection=protect,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs, *attachments]),
        )
        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.cluster_security_group_id = cluster.vpc_config.cluster_security_group_id
        issuer = cluster.identities.apply(lambda ids: (ids[0].oidcs[0].issuer or "") if ids and ids[0].oidcs else "")
        provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=issuer, client_id_lists=[STS_AUDIENCE], tags=tags, opts=child
        )
        self.oidc = OidcProvider(arn=provider.arn, host=issuer.apply(issuer_host))

        for admin in admins:
            entry_name = f"{name}-admin-{eks_admin_name(admin)}"
            entry = aws.eks.AccessEntry(
                entry_name, cluster_name=cluster.name, principal_arn=admin, type="STANDARD", tags=tags, opts=child
            )
            aws.eks.AccessPolicyAssociation(
                entry_name,
                cluster_name=cluster.name,
                principal_arn=entry.principal_arn,
                policy_arn=ADMIN_POLICY,
                access_scope={"type": "cluster"},
                opts=child,
            )

        self.node_role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=json.dumps(service_trust_policy("ec2.amazonaws.com")),
            tags=tags,
            opts=child,
        )
        self.node_role_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-role-{policy}",
                role=self.node_role.name,
                policy_arn=managed_policy_arn(policy),
                opts=child,
            )
            for policy in NODE_POLICIES
        ]

        ca = cluster.certificate_authority.apply(lambda authority: authority.data or "")
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, ca).apply(
                lambda values: kubeconfig(values[0], values[1], values[2], region)
            )
        )
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.key_arn = key.arn
        self.register_outputs(
            {"cluster_name": self.cluster_name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig}
        )
