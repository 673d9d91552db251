"""EksSecurityGroups: the control plane's and the nodes' groups, with the explicit rules of `plan_security_rules`."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from inferstack.aws.plan.security_rules import SgRole, SgRule
from inferstack.renames import formerly

TYPE_TOKEN = "inferstack:index:EksSecurityGroups"
FORMER_TYPE_TOKEN = "inferstack:index:SecurityGroups"


def create_rules(
    name: str, rules: list[SgRule], groups: dict[SgRole, pulumi.Output[str]], opts: pulumi.ResourceOptions
) -> None:
    """One standalone rule resource per planned rule (never inline rules, which fight standalone ones)."""
    for rule in rules:
        if rule.group not in groups:
            continue
        # All protocols ("-1") take no ports; AWS rejects them.
        ports = rule.protocol != "-1"
        kind = aws.vpc.SecurityGroupIngressRule if rule.direction == "ingress" else aws.vpc.SecurityGroupEgressRule
        kind(
            f"{name}-{rule.group}-{rule.key}",
            security_group_id=groups[rule.group],
            ip_protocol=rule.protocol,
            from_port=rule.from_port if ports else None,
            to_port=rule.to_port if ports else None,
            referenced_security_group_id=groups[rule.peer_group] if rule.peer_group is not None else None,
            cidr_ipv4=rule.cidr,
            description=rule.description,
            opts=opts,
        )


class EksSecurityGroups(pulumi.ComponentResource):
    """The EKS control plane's additional group and the nodes' group, wired to each other rule by rule."""

    cluster_group_id: pulumi.Output[str]
    node_group_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        rules: list[SgRule],
        cluster_name: str,
        tags: dict[str, str],
        discovery_tags: dict[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, formerly(opts, FORMER_TYPE_TOKEN))
        child = pulumi.ResourceOptions(parent=self)
        cluster = aws.ec2.SecurityGroup(
            f"{name}-cluster",
            vpc_id=vpc_id,
            description="EKS control plane: API from nodes, calls to kubelets and webhooks",
            tags={**tags, "Name": f"{name}-cluster"},
            opts=child,
        )
        nodes = aws.ec2.SecurityGroup(
            f"{name}-nodes",
            vpc_id=vpc_id,
            description="EKS nodes: node-to-node, from the control plane; egress to registries and AWS APIs",
            # The in-tree load-balancer controller adds its health-check rules to the one group tagged owned.
            # Karpenter's nodes join the same group, found by its discovery tag (cluster.provisioner: karpenter).
            tags={
                **tags,
                "Name": f"{name}-nodes",
                f"kubernetes.io/cluster/{cluster_name}": "owned",
                **(discovery_tags or {}),
            },
            opts=child,
        )
        self.cluster_group_id = cluster.id
        self.node_group_id = nodes.id
        create_rules(name, rules, {"cluster": cluster.id, "nodes": nodes.id}, child)
        self.register_outputs({"cluster_group_id": cluster.id, "node_group_id": nodes.id})
