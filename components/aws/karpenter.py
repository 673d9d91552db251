"""EksKarpenter: Karpenter as the GPU provisioner (cluster.provisioner: karpenter).

The controller is the pinned chart (catalog k8s_addons.yaml) on the system node group, never on capacity it
provisions (the chart's default affinity keeps it off nodes labelled karpenter.sh/nodepool); its IAM role is an
IRSA role for kube-system/karpenter, like the cluster-autoscaler's. The nodes it launches get their own node role
and an EKS access entry of type EC2_LINUX (managed node groups get theirs from EKS; Karpenter's nodes do not).
Spot interruption warnings, rebalance recommendations, instance state changes and AWS Health scheduled changes
reach it through an encrypted SQS queue, so a GPU node is drained before it is reclaimed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from inferstack.aws.cluster import NODE_POLICIES
from inferstack.aws.identity import ROLE_ARN_ANNOTATION, OidcProvider, irsa_role
from inferstack.aws.plan.karpenter import KarpenterPoolPlan
from inferstack.aws.plan.karpenter_policy import (
    INTERRUPTION_EVENTS,
    QUEUE_RETENTION_SECONDS,
    interruption_event_pattern,
    interruption_queue_policy,
    karpenter_controller_policy,
)
from inferstack.aws.plan.policy_documents import managed_policy_arn, service_trust_policy
from inferstack.catalog.k8s_addons import HelmChart

TYPE_TOKEN = "inferstack:index:EksKarpenter"
SERVICE_ACCOUNT = "karpenter"
RELEASE_NAME = "karpenter"


def karpenter_node_role_name(cluster_name: str) -> str:
    """The IAM role of Karpenter's nodes, named so the EC2NodeClasses can name it before it exists."""
    return f"{cluster_name}-karpenter-node"


def karpenter_values(
    *, cluster_name: str, queue_name: str, role_arn: str, node_selector: dict[str, str], replicas: int
) -> dict[str, Any]:
    """Helm values of the Karpenter chart (keys read from its values.yaml at 1.14.1)."""
    return {
        "settings": {
            "clusterName": cluster_name,
            "interruptionQueue": queue_name,
            # NodePools may take capacity-type reserved from the EC2NodeClass's capacity reservations.
            "featureGates": {"reservedCapacity": True},
        },
        "serviceAccount": {"name": SERVICE_ACCOUNT, "annotations": {ROLE_ARN_ANNOTATION: role_arn}},
        # On the system node group; the chart's default affinity already keeps it off Karpenter's own nodes.
        "nodeSelector": {"kubernetes.io/os": "linux", **node_selector},
        # Two replicas (leader election) on different nodes when the system pool has two; one otherwise, or the
        # second would stay Pending on the chart's required anti-affinity.
        "replicas": replicas,
        "podDisruptionBudget": {"name": RELEASE_NAME, "maxUnavailable": 1},
    }


class EksKarpenter(pulumi.ComponentResource):
    """Karpenter's controller, node role, interruption queue and the GPU pools' NodePools and EC2NodeClasses."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        region: str,
        account_id: pulumi.Input[str],
        oidc: OidcProvider,
        chart: HelmChart,
        pools: Sequence[KarpenterPoolPlan],
        node_selector: dict[str, str],
        system_nodes: int,
        cluster: pulumi.Input[str],
        provider: k8s.Provider,
        depends_on: Sequence[pulumi.Resource],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        node_role = aws.iam.Role(
            f"{name}-node-role",
            name=karpenter_node_role_name(cluster_name),
            assume_role_policy=json.dumps(service_trust_policy("ec2.amazonaws.com")),
            description=f"Nodes Karpenter launches in EKS cluster {cluster_name}",
            tags=tags,
            opts=child,
        )
        for policy in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-node-role-{policy}", role=node_role.name, policy_arn=managed_policy_arn(policy), opts=child
            )
        access = aws.eks.AccessEntry(
            f"{name}-node-access",
            cluster_name=cluster,
            principal_arn=node_role.arn,
            type="EC2_LINUX",
            tags=tags,
            opts=child,
        )

        queue = aws.sqs.Queue(
            f"{name}-interruptions",
            name=cluster_name,
            message_retention_seconds=QUEUE_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            tags=tags,
            opts=child,
        )
        aws.sqs.QueuePolicy(
            f"{name}-interruptions",
            queue_url=queue.url,
            policy=queue.arn.apply(lambda arn: json.dumps(interruption_queue_policy(arn))),
            opts=child,
        )
        targets = []
        for event, (source, detail_type) in INTERRUPTION_EVENTS.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{event}",
                name=f"{cluster_name}-karpenter-{event}",
                description=f"{detail_type} to Karpenter's interruption queue",
                event_pattern=json.dumps(interruption_event_pattern(source, detail_type)),
                tags=tags,
                opts=child,
            )
            targets.append(
                aws.cloudwatch.EventTarget(
                    f"{name}-{event}",
                    rule=rule.name,
                    target_id="KarpenterInterruptionQueueTarget",
                    arn=queue.arn,
                    opts=child,
                )
            )

        policy = pulumi.Output.all(account_id, node_role.arn, queue.arn).apply(
            lambda values: json.dumps(
                karpenter_controller_policy(cluster_name, region, values[0], values[1], values[2])
            )
        )
        role = irsa_role(
            f"{name}-controller", oidc, chart.namespace, SERVICE_ACCOUNT, tags=tags, opts=child, policy=policy
        )
        values = role.arn.apply(
            lambda arn: karpenter_values(
                cluster_name=cluster_name,
                queue_name=cluster_name,
                role_arn=arn,
                node_selector=node_selector,
                replicas=min(2, system_nodes),
            )
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=RELEASE_NAME,
            # An OCI chart: the reference is the repository and the chart name, with no repository index.
            chart=f"{chart.repository}/{chart.chart}",
            version=chart.version,
            namespace=chart.namespace,
            values=values,
            atomic=True,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[*depends_on, access, *targets]),
        )
        # The chart installs the CRDs: every NodePool and EC2NodeClass waits for the release.
        after = pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[self.release])
        self.node_pools: dict[str, k8s.apiextensions.CustomResource] = {}
        for plan in pools:
            node_class = plan.node_class
            k8s.apiextensions.CustomResource(
                f"{name}-{plan.key}-ec2nodeclass",
                api_version=node_class["apiVersion"],
                kind=node_class["kind"],
                metadata=node_class["metadata"],
                spec=node_class["spec"],
                opts=after,
            )
            for node_pool in plan.node_pools:
                pool_name = node_pool["metadata"]["name"]
                self.node_pools[pool_name] = k8s.apiextensions.CustomResource(
                    f"{name}-{pool_name}-nodepool",
                    api_version=node_pool["apiVersion"],
                    kind=node_pool["kind"],
                    metadata=node_pool["metadata"],
                    spec=node_pool["spec"],
                    opts=after,
                )
        self.role_arn = role.arn
        self.queue_name = queue.name
        self.node_role_arn = node_role.arn
        self.register_outputs({"role_arn": role.arn, "queue_name": queue.name, "node_role_arn": node_role.arn})
