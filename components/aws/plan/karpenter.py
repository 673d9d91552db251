"""Karpenter's objects for the GPU pools (cluster.provisioner: karpenter): a NodePool and an EC2NodeClass per pool.

Pure data, rendered from the same pool-scheduling decision the managed node groups use (labels, taint, disk), so a
model's nodeSelector and toleration match whichever provisioner made its node. Field names and values are
Karpenter v1's (NodePool karpenter.sh/v1, EC2NodeClass karpenter.k8s.aws/v1, chart 1.14.1; the CRD schemas are
vendored in tests/crds/ and every object below is validated against them).

Spot-aware serving: a pool whose models keep `replicas.on_demand_base` replicas gets a second, on-demand-only
NodePool (`<key>-on-demand`) with a higher weight and limits for exactly those replicas' GPUs. Karpenter fills
the heavier NodePool first (docs concepts/scheduling.md, Weighted NodePools: weight orders NodePools, limits cap
what each launches), so the first replicas' nodes are on-demand and the rest come from the pool's own preference
list. Chosen over a topology spread on karpenter.sh/capacity-type: a spread can only bound the skew between the
capacity types (half the replicas, not N), and with DoNotSchedule it blocks a scale-out whenever spot is short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from inferstack import catalog
from inferstack.aws.plan.node_user_data import node_user_data_text
from inferstack.aws.plan.nodes import plan_eks_gpu_pool
from inferstack.catalog.eks import eks_catalog
from inferstack.planning.fit import nodes_at, pool_models
from inferstack.planning.plan_readers import MIN_NODES_ANNOTATION, ON_DEMAND_BASE_ANNOTATION
from inferstack.planning.scheduling import PoolScheduling
from inferstack.spec.models import EnvironmentSpec, tensor_parallel_of

NODE_POOL_API = "karpenter.sh/v1"
NODE_CLASS_API = "karpenter.k8s.aws/v1"
NODE_CLASS_GROUP = "karpenter.k8s.aws"
DISCOVERY_TAG = "karpenter.sh/discovery"
CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
# The spec's zones are AWS zone IDs (the same physical zone in every account); Karpenter labels nodes with them.
ZONE_ID_LABEL = "topology.k8s.aws/zone-id"
GPU_RESOURCE = "nvidia.com/gpu"
# Karpenter does not voluntarily disrupt (consolidate, drift) a node running a pod with this annotation; with a
# duration ("560s") only for that long after the pod starts running (docs concepts/disruption.md, pod-level
# controls, at c88abbba). Serving pods carry it for their startupProbe budget: a loading replica is never moved,
# a serving one may be, gracefully (budgets, PDBs, a replacement node first). Spot interruption still applies.
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
# The spec's capacity names -> Karpenter's karpenter.sh/capacity-type values.
CAPACITY_TYPES = {"reserved": "reserved", "spot": "spot", "on_demand": "on-demand"}
# Within one NodePool that allows several capacity types Karpenter takes reserved capacity first, then spot, then
# on-demand (docs concepts/nodepools.md, capacity type, at c88abbba). A preference list is followed as written only
# if it keeps this order (validation/karpenter.py refuses any other).
KARPENTER_ORDER = ("reserved", "spot", "on_demand")
# MIN_NODES_ANNOTATION is read by the cost model: Karpenter keeps no minimum size (a pool's `min` is not enforced);
# nodes follow pending pods, so its minimum is the nodes the models' replicas.min need.
BASE_SUFFIX = "-on-demand"
BASE_WEIGHT = 100
ROOT_DEVICE = "/dev/xvda"  # the root device of the AL2023 EKS AMIs
# Disruption safe for LLM pods: only an empty node is removed, after it has stood empty this long (a replica
# that scales back soon reuses it instead of paying another boot and weight load); one node of a pool at a time.
CONSOLIDATE_AFTER = "10m"
DISRUPTION_BUDGET_NODES = "1"
# The AMI is pinned, so an expired node would come back identical: nodes are replaced when the pin moves (drift,
# graceful and budgeted), not on a timer. Expiry is forceful and unbudgeted (docs concepts/disruption.md), so nodes
# launched together would all drain together. The grace period bounds any drain (docs: set it with
# do-not-disrupt pods, or a drain can hang).
EXPIRE_AFTER = "Never"
TERMINATION_GRACE_PERIOD = "1h"


@dataclass(frozen=True)
class KarpenterPoolPlan:
    """One GPU pool under Karpenter: its scheduling, its NodePools (the main one first) and its EC2NodeClass."""

    key: str
    scheduling: PoolScheduling
    node_pools: tuple[dict[str, Any], ...]
    node_class: dict[str, Any]


def karpenter_instance_types(spec: EnvironmentSpec, key: str) -> tuple[str, ...]:
    """Every catalog type with the pool's GPU kind and count in the region (the pool's own type if it names one)."""
    pool = spec.node_pools[key]
    if pool.instance_type is not None or spec.region is None:
        return plan_eks_gpu_pool(spec, key).instance_types
    # Same GPUs per node whichever type launches, so a model's placement never depends on which one came up; many
    # types make a spot reclaim or a capacity shortage in one type less likely to leave the pool without nodes.
    return tuple(name for name, _ in catalog.gpu_instance_types("aws", pool.gpu, pool.gpus_per_node, spec.region))


def on_demand_base_replicas(spec: EnvironmentSpec, key: str) -> tuple[int, int]:
    """(replicas, GPUs) the models on a pool keep on on-demand capacity (replicas.on_demand_base)."""
    models = [model for model in spec.models.values() if model.pool == key and model.replicas.on_demand_base]
    replicas = sum(model.replicas.on_demand_base for model in models)
    gpus = sum(model.replicas.on_demand_base * tensor_parallel_of(model) for model in models)
    return replicas, gpus


def _requirements(types: tuple[str, ...], capacity: list[str], zones: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {"key": INSTANCE_TYPE_LABEL, "operator": "In", "values": list(types)},
        {"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": capacity},
        {"key": ZONE_ID_LABEL, "operator": "In", "values": list(zones)},
    ]


def _node_pool(
    name: str,
    key: str,
    scheduling: PoolScheduling,
    requirements: list[dict[str, Any]],
    gpu_limit: int,
    annotations: dict[str, str],
    weight: int | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "template": {
            "metadata": {"labels": dict(sorted(scheduling.labels.items()))},
            "spec": {
                "nodeClassRef": {"group": NODE_CLASS_GROUP, "kind": "EC2NodeClass", "name": key},
                "requirements": requirements,
                "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in scheduling.taints],
                "expireAfter": EXPIRE_AFTER,
                # Pods marked do-not-disrupt would otherwise hold an expiring node forever (docs disruption.md).
                "terminationGracePeriod": TERMINATION_GRACE_PERIOD,
            },
        },
        "disruption": {
            "consolidationPolicy": "WhenEmpty",
            "consolidateAfter": CONSOLIDATE_AFTER,
            "budgets": [{"nodes": DISRUPTION_BUDGET_NODES}],
        },
        # limits cap what the NodePool launches: max nodes × GPUs per node (CPU and memory follow the GPUs).
        "limits": {GPU_RESOURCE: str(gpu_limit)},
    }
    if weight is not None:
        spec["weight"] = weight
    return {
        "apiVersion": NODE_POOL_API,
        "kind": "NodePool",
        "metadata": {"name": name, "annotations": annotations},
        "spec": spec,
    }


def _node_class(
    spec: EnvironmentSpec, key: str, scheduling: PoolScheduling, role: str, tags: dict[str, str]
) -> dict[str, Any]:
    pool = spec.node_pools[key]
    discovery = {DISCOVERY_TAG: spec.name}
    body: dict[str, Any] = {
        "role": role,
        "amiSelectorTerms": [{"alias": eks_catalog().karpenter_ami.alias}],
        "subnetSelectorTerms": [{"tags": discovery}],
        "securityGroupSelectorTerms": [{"tags": discovery}],
        # IMDSv2 only, one hop: pods cannot reach the node role's credentials (they use their own IRSA roles).
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        # Encrypted like the node groups' root volumes (the region's EBS key); gp3 sized by the shared decision.
        "blockDeviceMappings": [
            {
                "deviceName": ROOT_DEVICE,
                "rootVolume": True,
                "ebs": {
                    "volumeSize": f"{scheduling.disk_gib}Gi",
                    "volumeType": "gp3",
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
        ],
        "detailedMonitoring": False,
        "tags": {**tags, "Name": f"{spec.name}-{key}", "inferstack.dev/pool": key},
    }
    if pool.cold_start.local_nvme:
        # Karpenter's own form of the node groups' NVMe user data: instance stores in a RAID0 for images and pods.
        body["instanceStorePolicy"] = "RAID0"
    if pool.cold_start.fast_image_pull:
        # Karpenter has no field for the feature gate: the same NodeConfig as the node groups', which it merges.
        body["userData"] = node_user_data_text(pool.cold_start.model_copy(update={"local_nvme": False}))
    if "reserved" in pool.capacity:
        body["capacityReservationSelectorTerms"] = [
            {"id": res.id} if res.id is not None else {"tags": dict(res.tags or {})}
            for _, res in sorted(pool.reservations.items())
        ]
    return {"apiVersion": NODE_CLASS_API, "kind": "EC2NodeClass", "metadata": {"name": key}, "spec": body}


def plan_karpenter_pool(spec: EnvironmentSpec, key: str, *, node_role: str, tags: dict[str, str]) -> KarpenterPoolPlan:
    """The NodePools and EC2NodeClass of one `node_pools` entry; `node_role` is the nodes' IAM role name."""
    pool = spec.node_pools[key]
    scheduling = plan_eks_gpu_pool(spec, key).scheduling
    zones = plan_eks_gpu_pool(spec, key).zones
    types = karpenter_instance_types(spec, key)
    per_node = scheduling.gpus_per_node
    base_replicas, base_gpus = on_demand_base_replicas(spec, key)
    base_nodes = min(math.ceil(base_gpus / per_node), pool.max) if base_gpus else 0
    min_nodes = min(nodes_at(per_node, pool_models(spec).get(key, []), at="min") or 0, pool.max)
    capacity = [CAPACITY_TYPES[option] for option in KARPENTER_ORDER if option in pool.capacity]
    main = _node_pool(
        key,
        key,
        scheduling,
        _requirements(types, capacity, zones),
        (pool.max - base_nodes) * per_node,
        {MIN_NODES_ANNOTATION: str(max(min_nodes - base_nodes, 0))},
    )
    pools = [main]
    if base_nodes:
        annotations = {
            MIN_NODES_ANNOTATION: str(min(min_nodes, base_nodes)),
            ON_DEMAND_BASE_ANNOTATION: str(base_replicas),
        }
        pools.append(
            _node_pool(
                f"{key}{BASE_SUFFIX}",
                key,
                scheduling,
                _requirements(types, [CAPACITY_TYPES["on_demand"]], zones),
                base_nodes * per_node,
                annotations,
                weight=BASE_WEIGHT,
            )
        )
        # The main pool records the base it relies on: the policy pack accepts spot in production because of it.
        main["metadata"]["annotations"][ON_DEMAND_BASE_ANNOTATION] = str(base_replicas)
    return KarpenterPoolPlan(
        key=key,
        scheduling=scheduling,
        node_pools=tuple(pools),
        node_class=_node_class(spec, key, scheduling, node_role, tags),
    )
