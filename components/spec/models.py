"""What a stack file may say: the typed shape of the `inferstack:environment` config key.

Field-level rules (types, ranges, patterns) live here; rules that relate several fields or need the catalog
live in `inferstack.validation`, so that every error of a document can be reported at once. This package
imports neither the catalog nor planning: it is the floor both stand on.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from inferstack.spec.base import (
    AUTO,
    MAX_DISK_GIB,
    MAX_GPUS_PER_NODE,
    MAX_NODES,
    MAX_TOKENS,
    Cloud,
    Dtype,
    FrozenSpec,
    Key,
    SecurityProfile,
)
from inferstack.spec.cluster_parts import (
    DEFAULT_KUBERNETES_VERSION,
    ClusterSpec,
    ColdStartSpec,
    NetworkSpec,
    SystemPoolSpec,
)
from inferstack.spec.existing_nodes import ExistingNodesSpec, NodeTaintSpec
from inferstack.spec.gateway_parts import GatewayClientSpec, GatewaySpec, GatewayTlsSpec, RouteSpec
from inferstack.spec.model_parts import (
    AdapterSource,
    AutoscaleSpec,
    LoadBalancerSpec,
    LoadSpec,
    LoraSpec,
    ModelShapeSpec,
    ReplicasSpec,
    Shape,
    StagingSpec,
    TensorParallel,
)
from inferstack.spec.monitoring_parts import MonitoringSpec, ReceiverSpec, SmokeTestSpec
from inferstack.spec.pool_parts import CapacityPreferences, CapacityType, ReservationSpec
from inferstack.spec.store_parts import BudgetSpec, ModelStoreSpec

# The model parts are defined in model_parts.py and importable from here too, beside the ModelSpec that holds them.
__all__ = [
    "DEFAULT_KUBERNETES_VERSION",
    "AutoscaleSpec",
    "BudgetSpec",
    "CapacityType",
    "ClusterSpec",
    "ColdStartSpec",
    "EnvironmentSpec",
    "ExistingNodesSpec",
    "GatewayClientSpec",
    "GatewaySpec",
    "GatewayTlsSpec",
    "LoadBalancerSpec",
    "LoadSpec",
    "LoraSpec",
    "ModelShapeSpec",
    "ModelSpec",
    "ModelStoreSpec",
    "MonitoringSpec",
    "NetworkSpec",
    "NodePoolSpec",
    "NodeTaintSpec",
    "ReceiverSpec",
    "ReplicasSpec",
    "ReservationSpec",
    "RouteSpec",
    "SmokeTestSpec",
    "StagingSpec",
    "SystemPoolSpec",
    "UnresolvedAutoError",
    "tensor_parallel_of",
]


class NodePoolSpec(FrozenSpec):
    """One autoscaled pool of identical GPU nodes, or on cloud: kubernetes nodes the cluster already has (existing:)."""

    gpu: str = Field(
        description="GPU catalog key (e.g. nvidia-l4), or auto: the cheapest option for the pool's model; required."
    )
    gpus_per_node: PositiveInt = Field(default=1, le=MAX_GPUS_PER_NODE, description="GPUs on each node; default: 1.")
    instance_type: str | None = Field(
        default=None,
        description="Explicit instance/machine type, checked against the catalog; default: chosen from the catalog.",
    )
    min: NonNegativeInt = Field(
        default=0, le=MAX_NODES, description="Minimum nodes (0 allows scale to zero); default: 0."
    )
    max: PositiveInt = Field(default=1, le=MAX_NODES, description="Maximum nodes; default: 1.")
    capacity: CapacityPreferences = Field(
        default=("on_demand",),
        description="Purchase options in order of preference, one or a list of on_demand, spot (preemptible) and "
        "reserved; default: on_demand.",
    )
    reservations: dict[Key, ReservationSpec] = Field(
        default_factory=dict,
        description="Reservations keyed by a name of yours, used when capacity lists reserved; default: {}.",
    )
    zones: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Zones for this pool, a subset of the environment's; default: all of them.",
    )
    disk_gib: PositiveInt | None = Field(
        default=None,
        le=MAX_DISK_GIB,
        description="Root volume size in GiB; default: sized for the engine image plus weights.",
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels; default: {}.")
    cold_start: ColdStartSpec = Field(
        default_factory=ColdStartSpec, description="Cold-start accelerators of the pool; default: none."
    )
    flex_start: bool = Field(
        default=False,
        description="GKE Dynamic Workload Scheduler flex-start before on-demand in the pool's ComputeClass (gcp "
        "with cluster.provisioner compute_class only): queued, discounted GPU capacity; default: false.",
    )
    existing: ExistingNodesSpec | None = Field(
        default=None,
        description="GPU nodes the cluster already has, described, not managed (kubernetes only, required there); "
        "default: none.",
    )


class ModelSpec(FrozenSpec):
    """One served model: where its weights come from, how it runs and where."""

    source: str = Field(
        pattern=r"^hf://[A-Za-z0-9._-]+/[A-Za-z0-9._-]+@[0-9a-f]{40}$",
        description="Hub id pinned to a 40-hex commit, hf://<org>/<name>@<commit>; required.",
    )
    engine: Literal["vllm", "vllm-cpu"] = Field(
        default="vllm", description="Serving engine: vllm (GPU) or vllm-cpu; default: vllm."
    )
    image: str | None = Field(
        default=None,
        pattern=r"^[^\s]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$",
        description="Engine image override with a pinned tag or digest (never latest); sizing models the vLLM release "
        "its tag names (e.g. v0.10.2), and validation refuses one that cannot read the model bucket; default: the "
        "engine's.",
    )
    pool: Key | None = Field(
        default=None, description="Node pool that runs this model; required on aws and gcp; default: none."
    )
    replicas: ReplicasSpec = Field(default_factory=ReplicasSpec, description="Replica bounds; default: 1 to 1.")
    tensor_parallel: TensorParallel = Field(
        default=1, description="GPUs per replica (tensor parallel size), or auto: the cheapest that fits; default: 1."
    )
    max_model_len: PositiveInt | None = Field(
        default=None, le=MAX_TOKENS, description="Maximum context length in tokens; default: the model's own."
    )
    dtype: Dtype = Field(
        default="auto", description="Weight and activation dtype (bf16 and fp16 are aliases); default: auto."
    )
    quantization: Literal["fp8", "awq", "gptq", "modelopt_fp4"] | None = Field(
        default=None,
        description="Weight quantization (--quantization; awq, gptq and modelopt_fp4 need a checkpoint quantized "
        "that way); default: none, or the checkpoint's own.",
    )
    kv_cache_dtype: Literal["auto", "fp8", "fp8_e4m3", "fp8_e5m2"] = Field(
        default="auto",
        description="KV-cache dtype (--kv-cache-dtype): auto keeps the model's, fp8 halves the cache; default: auto.",
    )
    max_num_seqs: PositiveInt | None = Field(
        default=None,
        le=MAX_TOKENS,
        description="Most sequences the engine runs at once (--max-num-seqs); default: vLLM's for the GPU.",
    )
    gpu_memory_utilization: float = Field(
        default=0.9, gt=0.1, le=0.98, description="Share of GPU memory the engine may use; default: 0.9."
    )
    served_name: str | None = Field(
        default=None, description="Model name clients send in requests; default: the model's key."
    )
    api_key_secret: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Stack config key of a Pulumi secret holding the API key; default: none (no key).",
    )
    hub_token_secret: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Stack config key of a Pulumi secret holding the hub token; default: none (public model).",
    )
    load_balancer: LoadBalancerSpec | None = Field(
        default=None, description="Expose through a load balancer; default: none (ClusterIP only)."
    )
    autoscale: AutoscaleSpec = Field(
        default_factory=AutoscaleSpec, description="Autoscaling signals; default: queue depth 4."
    )
    shape: Shape | None = Field(
        default=None,
        description="Architecture: a catalog key (qwen2.5-7b) or inline numbers; default: from the hub id in source.",
    )
    load: LoadSpec | None = Field(
        default=None, description="Expected load and latency objectives for sizing; default: none."
    )
    staging: StagingSpec = Field(
        default_factory=StagingSpec,
        description="Files staged beyond the loaded weights (duplicate formats are skipped); default: weights only.",
    )
    route: RouteSpec | None = Field(
        default=None, description="The gateway's route to this model (name, canary weight); default: its name, 100."
    )
    adapters: dict[Key, AdapterSource] = Field(
        default_factory=dict,
        max_length=64,
        description="LoRA adapters keyed by the model name clients request, each hf://<org>/<name>@<commit>, "
        "staged like the weights (vllm only); default: {}.",
    )
    lora: LoraSpec | None = Field(
        default=None,
        description="LoRA slots (max_rank, max_loras), only with adapters; default: rank 16, one slot per adapter.",
    )


class EnvironmentSpec(FrozenSpec):
    """A complete LLM environment: the value of the `inferstack:environment` stack config key."""

    name: Key = Field(description="Prefix of every resource name; default: the stack name.")
    cloud: Cloud = Field(description="Where it runs: aws, gcp or kubernetes (an existing cluster); required.")
    region: str | None = Field(default=None, description="Cloud region (aws and gcp); default: none.")
    zones: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Zones to use (AWS zone IDs like use1-az1, GCP zone names); default: the region's first two.",
    )
    production: bool = Field(
        default=False, description="Production stack: data protected, stricter policies; default: false."
    )
    security_profile: SecurityProfile = Field(
        default="standard",
        description="standard, or private (no public endpoints, private service endpoints); default: standard.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Tags/labels on every resource; default: {}.")
    network: NetworkSpec = Field(default_factory=NetworkSpec, description="Network; default: see NetworkSpec.")
    cluster: ClusterSpec = Field(default_factory=ClusterSpec, description="Cluster; default: see ClusterSpec.")
    node_pools: dict[Key, NodePoolSpec] = Field(
        default_factory=dict, description="GPU node pools keyed by pool name; default: {}."
    )
    model_store: ModelStoreSpec = Field(
        default_factory=ModelStoreSpec, description="Model weight storage; default: see ModelStoreSpec."
    )
    models: dict[Key, ModelSpec] = Field(
        default_factory=dict, description="Served models keyed by model name; default: {}."
    )
    budget: BudgetSpec = Field(default_factory=BudgetSpec, description="Spending limits; default: none.")
    monitoring: MonitoringSpec = Field(
        default_factory=MonitoringSpec,
        description="Metrics, dashboards, alerts, smoke tests; default: see MonitoringSpec.",
    )
    gateway: GatewaySpec = Field(
        default_factory=GatewaySpec,
        description="One endpoint for every model (routing, client keys, limits); default: on with >1 model.",
    )


class UnresolvedAutoError(ValueError):
    """A spec value is still `auto`: it was not passed through `check_spec` or loaded from a stack file."""


def tensor_parallel_of(model: ModelSpec) -> int:
    """The model's GPUs per replica; raises UnresolvedAutoError while it is still `auto`."""
    # Planning and components take the checked spec, in which every `auto` has been chosen; reading a
    # number through here makes that a checked fact rather than an assumption.
    tp = model.tensor_parallel
    if tp == AUTO:
        raise UnresolvedAutoError(
            "tensor_parallel is still 'auto': pass the spec through inferstack.check_spec (or load it with "
            "inferstack.load_stack_file) before planning or building it"
        )
    return tp
