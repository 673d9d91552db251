"""Rules about the GPU fleet as a whole: taints on GPU pools, tagging, a GPU cap and no spot in production."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from inferstack import catalog
from inferstack.policies.props import as_list, dig
from inferstack.policies.rule import ADVISORY, Report, param, resource_rule, stack_rule
from inferstack.provider_types import Aws, Gcp
from inferstack.target import GPU_TAINT_KEY

AWS_NODE_GROUP = Aws.EKS_NODE_GROUP
GKE_NODE_POOL = Gcp.GKE_NODE_POOL


def gpus_per_node(resource_type: str, props: Mapping[str, Any]) -> int:
    """GPUs on one node of a node group/pool, from its accelerators or its instance type in the catalog."""
    if resource_type == AWS_NODE_GROUP:
        types = [str(t) for t in as_list(props.get("instanceTypes"))]
        known = catalog.instance_types("aws")
        return max((known[t].gpus for t in types if t in known), default=0)
    if resource_type == GKE_NODE_POOL:
        accelerators = as_list(dig(props, "nodeConfig", "guestAccelerators"))
        if accelerators:
            return int(sum(float(dig(a, "count") or 0) for a in accelerators))
        machine = catalog.instance_types("gcp").get(str(dig(props, "nodeConfig", "machineType")))
        return machine.gpus if machine else 0
    return 0


def max_nodes(resource_type: str, props: Mapping[str, Any]) -> int:
    """Nodes at maximum scale (a GKE per-zone maximum is multiplied by the pool's zones)."""
    if resource_type == AWS_NODE_GROUP:
        return int(float(dig(props, "scalingConfig", "maxSize") or 0))
    if resource_type == GKE_NODE_POOL:
        total = dig(props, "autoscaling", "totalMaxNodeCount")
        if total is not None:
            return int(float(total))
        per_zone = dig(props, "autoscaling", "maxNodeCount")
        if per_zone is None:
            per_zone = props.get("nodeCount") or props.get("initialNodeCount") or 0
        return int(float(per_zone)) * max(1, len(as_list(props.get("nodeLocations"))))
    return 0


def _taints(resource_type: str, props: Mapping[str, Any]) -> list[Any]:
    if resource_type == AWS_NODE_GROUP:
        return as_list(props.get("taints"))
    return as_list(dig(props, "nodeConfig", "taints"))


def _check_gpu_taint(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type not in (AWS_NODE_GROUP, GKE_NODE_POOL) or not gpus_per_node(args.resource_type, args.props):
        return
    tainted = any(
        dig(taint, "key") == GPU_TAINT_KEY and dig(taint, "effect") == "NO_SCHEDULE"
        for taint in _taints(args.resource_type, args.props)
    )
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
    found = []
    for resource in resources:
        per_node = gpus_per_node(resource.resource_type, resource.props)
        if per_node:
            found.append((resource, per_node * max_nodes(resource.resource_type, resource.props)))
    return found


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


def _check_spot(args: ResourceValidationArgs, report: Report) -> None:
    if not param(args, no_spot_in_production, "production"):
        return
    props = args.props
    if args.resource_type == AWS_NODE_GROUP and props.get("capacityType") == "SPOT":
        report("spot capacity in a production stack")
    if args.resource_type == GKE_NODE_POOL and (
        dig(props, "nodeConfig", "spot") is True or dig(props, "nodeConfig", "preemptible") is True
    ):
        report("spot/preemptible capacity in a production stack")


no_spot_in_production = resource_rule(
    "no-spot-in-production",
    "Production stacks run on on-demand capacity only.",
    _check_spot,
    remediation="Set capacity: on_demand on the pool (spot can be reclaimed with two minutes' notice).",
    severity=Severity.MEDIUM,
    config={
        "production": {
            "type": "boolean",
            "default": False,
            "description": "Whether the stack is production (inferstack plan sets it from the spec).",
        }
    },
)

RULES = [gpu_pools_tainted, required_tags, gpu_cap, no_spot_in_production]
