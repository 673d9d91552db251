"""What a stack file may say about GPU nodes a cluster already has (`cloud: kubernetes`): a pool's `existing:`.

inferstack selects and sizes onto these nodes but never creates, scales or configures them. Field-level rules only;
the defaults that need the catalog (GPU Feature Discovery's product label) are chosen in planning/existing_nodes.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat, PositiveInt

from inferstack.spec.base import MAX_NODES, FrozenSpec

# A Kubernetes label key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters.
LABEL_KEY = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
# A Kubernetes label (and taint) value: empty, or at most 63 characters, alphanumeric at both ends.
LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"
LabelKey = Annotated[str, Field(pattern=LABEL_KEY, max_length=316)]
LabelValue = Annotated[str, Field(pattern=LABEL_VALUE)]
# Far above any real node (the largest catalog instances have 192 vCPUs and 2 TiB).
MAX_NODE_VCPUS = 4096
MAX_NODE_MEMORY_GIB = 65536.0


class NodeTaintSpec(FrozenSpec):
    """A taint the described nodes carry, which the model's pods tolerate."""

    key: LabelKey = Field(description="Taint key, e.g. nvidia.com/gpu; required.")
    value: LabelValue | None = Field(
        default=None, description="Taint value; default: none (the pods tolerate the key with any value)."
    )
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = Field(
        default="NoSchedule", description="Taint effect; default: NoSchedule."
    )


class ExistingNodesSpec(FrozenSpec):
    """GPU nodes the cluster already has: what they are (for fit and capacity) and how to select them."""

    nodes: PositiveInt = Field(
        le=MAX_NODES, description="How many such nodes serve this pool (capacity planning); required."
    )
    vcpus: PositiveInt = Field(le=MAX_NODE_VCPUS, description="vCPUs of one node (its capacity); required.")
    memory_gib: PositiveFloat = Field(
        le=MAX_NODE_MEMORY_GIB, description="Memory of one node in GiB (its capacity); required."
    )
    selector: dict[LabelKey, LabelValue] | None = Field(
        default=None,
        min_length=1,
        description="Node labels that select these nodes; default: GPU Feature Discovery's nvidia.com/gpu.product "
        "for the pool's gpu.",
    )
    taints: list[NodeTaintSpec] | None = Field(
        default=None,
        description="Taints of these nodes the pods tolerate; default: nvidia.com/gpu (any value), NoSchedule.",
    )
