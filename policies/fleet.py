"""Rules about the fleet as a whole: GPU taints, tagging, a GPU cap, no spot in production, enforced NetworkPolicies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from inferstack.catalog.eks import eks_catalog
from inferstack.planning.plan_readers import NodePool, node_pool
from inferstack.policies.props import dig, planned
from inferstack.policies.rule import ADVISORY, Report, param, resource_rule, stack_rule
from inferstack.provider_types import Aws, Gcp, K8s
from inferstack.target import GPU_TAINT_KEY


def _check_gpu_taint(args: ResourceValidationArgs, report: Report) -> None:
    pool = node_pool(planned(args))
    if pool is None or not pool.gpus_per_node:
        return
    tainted = any(taint.get("key") == GPU_TAINT_KEY and taint.get("effect") == "NO_SCHEDULE" for taint in pool.taints)
    if not tainted:
        report(f"GPU nodes are not tainted {GPU_TAINT_KEY}:NoSchedule, so any pod could land on them")


gpu_pools_tainted = resource_rule(
    "gpu-pool-tainted",
    "GPU node pools carry the nvidia.com/gpu NoSchedule taint, so only GPU workloads use them.",
    _check_gpu_taint,
    remediation="Add the taint {key: nvidia.com/gpu, value: present, effect: NO_SCHEDULE} to the pool.",
)

REQUIRED_TAGS_SCHEMA = {
    "requiredTags": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["team", "env"],
        "description": "Tag (AWS) or label (GCP) keys every taggable resource must carry.",
    }
}


def _check_tags(args: ResourceValidationArgs, report: Report) -> None:
    provider_props: Mapping[str, Any] = args.provider.props if args.provider else {}
    if args.resource_type.startswith("aws:") and "tags" in args.props:
        have = set((args.props.get("tags") or {}) | (dig(provider_props, "defaultTags", "tags") or {}))
    elif args.resource_type.startswith("gcp:") and ("labels" in args.props or "resourceLabels" in args.props):
        labels = args.props.get("labels") or args.props.get("resourceLabels") or {}
        have = set(labels | (provider_props.get("defaultLabels") or {}))
    else:
        return
    missing = sorted(set(param(args, required_tags, "requiredTags") or []) - have)
    if missing:
        report(f"missing required tags/labels: {', '.join(missing)}")


required_tags = resource_rule(
    "required-tags",
    "Taggable cloud resources carry the required tags (AWS) or labels (GCP), directly or from provider defaults.",
    _check_tags,
    remediation="Add the keys under the stack's tags: (inferstack puts them on every resource).",
    severity=Severity.LOW,
    enforcement=ADVISORY,
    config=REQUIRED_TAGS_SCHEMA,
)


def gpu_pools(resources: list[PolicyResource]) -> list[tuple[PolicyResource, int]]:
    """GPU node groups/pools with their GPU count at maximum scale."""
    # A GKE pool naming no zones is counted in one: the rule sees the pool, not its cluster's zones.
    pools = [(resource, node_pool(planned(resource))) for resource in resources]
    return [(resource, int(pool.max_gpus)) for resource, pool in pools if pool is not None and pool.gpus_per_node]


def _check_gpu_cap(args: StackValidationArgs, report: Report) -> None:
    cap = int(param(args, gpu_cap, "maxGpus"))
    pools = gpu_pools(args.resources)
    total = sum(count for _, count in pools)
    if total > cap:
        detail = ", ".join(f"{resource.name}: {count}" for resource, count in pools)
        report(f"{total} GPUs at maximum scale exceed the cap of {cap} ({detail})")


gpu_cap = stack_rule(
    "gpu-cap",
    "Total GPUs at maximum scale stay within a cap.",
    _check_gpu_cap,
    remediation="Lower node_pools.*.max, or raise maxGpus in the policy config after approval.",
    config={
        "maxGpus": {"type": "integer", "minimum": 0, "default": 64, "description": "Most GPUs a stack may scale to."}
    },
)


# GKE calls reclaimable capacity spot or (older) preemptible.
SPOT_MESSAGE = {
    Aws.EKS_NODE_GROUP: "spot capacity in a production stack",
    Gcp.GKE_NODE_POOL: "spot/preemptible capacity in a production stack",
    K8s.COMPUTE_CLASS: "a ComputeClass that tries spot first in a production stack, with no on-demand base",
    K8s.KARPENTER_NODE_POOL: "a spot-first Karpenter NodePool in a production stack, and no replica is kept on "
    "on-demand capacity (replicas.on_demand_base is 0, or the NodePool cannot fall back to on-demand)",
}


def _spot_backed(pool: NodePool) -> bool:
    """A pool that may fall back to on-demand and whose models keep replicas on on-demand nodes (on_demand_base)."""
    return pool.on_demand_base >= 1 and "on_demand" in pool.purchase


def _check_spot(args: ResourceValidationArgs, report: Report) -> None:
    if not param(args, no_spot_in_production, "production"):
        return
    pool = node_pool(planned(args))
    # A pool that tries spot first but keeps its models' on_demand_base replicas on on-demand nodes still serves
    # when spot is reclaimed: the base stays.
    if pool is not None and pool.spot and not _spot_backed(pool):
        report(SPOT_MESSAGE.get(pool.type, "spot capacity in a production stack"))


no_spot_in_production = resource_rule(
    "no-spot-in-production",
    "Production stacks run on on-demand capacity, or on spot only with an on-demand base (pools that fall back "
    "to on-demand and whose models keep replicas.on_demand_base ≥ 1).",
    _check_spot,
    remediation="Set capacity: on_demand on the pool (spot can be reclaimed with two minutes' notice), or, with a "
    "provisioner that follows the preference list (karpenter, compute_class), capacity: [spot, on_demand] and "
    "replicas.on_demand_base of at least 1 on its models.",
    severity=Severity.MEDIUM,
    config={
        "production": {
            "type": "boolean",
            "default": False,
            "description": "Whether the stack is production (inferstack plan sets it from the spec).",
        }
    },
)

# GKE enforces NetworkPolicy with Dataplane V2 (eBPF, no add-on) or, on the legacy dataplane, with Calico turned on.
GKE_ENFORCING_DATAPATH = "ADVANCED_DATAPATH"


def _addon_values(resource: PolicyResource) -> Mapping[str, Any]:
    raw = resource.props.get("configurationValues")
    try:
        values = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return values if isinstance(values, Mapping) else {}


def _eks_enforces(cluster: PolicyResource, resources: list[PolicyResource]) -> bool:
    # The configuration the catalog records for the VPC CNI is what turns its network policy agent on.
    wanted = eks_catalog().addon_configuration["vpc-cni"].values
    name = cluster.props.get("name")
    for resource in resources:
        if resource.resource_type != Aws.EKS_ADDON or resource.props.get("addonName") != "vpc-cni":
            continue
        if name and resource.props.get("clusterName") not in (None, name):
            continue
        values = _addon_values(resource)
        if all(str(values.get(key)) == value for key, value in wanted.items()):
            return True
    return False


def _gke_enforces(cluster: PolicyResource) -> bool:
    calico = dig(cluster.props, "networkPolicy", "enabled") is True
    return cluster.props.get("datapathProvider") == GKE_ENFORCING_DATAPATH or calico


def _check_network_policy_enforced(args: StackValidationArgs, report: Report) -> None:
    policies = [resource for resource in args.resources if resource.resource_type == K8s.NETWORK_POLICY]
    if not policies:
        return
    for resource in args.resources:
        if resource.resource_type == Aws.EKS_CLUSTER and not _eks_enforces(resource, args.resources):
            report(
                f"{len(policies)} NetworkPolicies on EKS cluster {resource.name}, whose vpc-cni add-on is not "
                "configured with enableNetworkPolicy: they are accepted and never enforced"
            )
        elif resource.resource_type == Gcp.GKE_CLUSTER and not _gke_enforces(resource):
            report(
                f"{len(policies)} NetworkPolicies on GKE cluster {resource.name}, which has neither Dataplane V2 "
                "nor network policy enforcement: they are accepted and never enforced"
            )


network_policy_enforced = stack_rule(
    "network-policy-enforced",
    "A stack with NetworkPolicies runs them on a cluster whose network plugin enforces them.",
    _check_network_policy_enforced,
    remediation=(
        'EKS: create the vpc-cni add-on with configurationValues {"enableNetworkPolicy": "true"}; '
        "GKE: datapathProvider ADVANCED_DATAPATH (Dataplane V2) or networkPolicy.enabled."
    ),
)

RULES = [gpu_pools_tainted, required_tags, gpu_cap, no_spot_in_production, network_policy_enforced]
