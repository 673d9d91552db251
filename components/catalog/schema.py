"""Typed shapes of the catalog data files: every fact carries its source and the date it was read."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from inferstack.catalog.schema_warmup import CudaGraphSizes

Cloud = Literal["aws", "gcp"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=8, description="Where the figures come from (URL or document title).")
    as_of: dt.date = Field(description="The date the figures were read from the source.")


class GpuArch(_Fact):
    """A GPU's architecture and CUDA compute capability: which precisions its kernels can run."""

    architecture: str = Field(description="NVIDIA architecture name, e.g. 'Ampere'.")
    compute_capability: float = Field(gt=0, description="CUDA compute capability, e.g. 8.0 for A100, 7.5 for T4.")


class Gpu(_Fact):
    """One GPU model: memory, bandwidth and dense tensor throughput."""

    name: str = Field(description="Marketing name, e.g. 'NVIDIA L4'.")
    memory_gib: PositiveFloat = Field(
        description="Device memory in GiB the driver reports (memory_mib / 1024: 22.494 for L4, not its 24 GB)."
    )
    memory_mib: PositiveInt | None = Field(
        default=None, description="nvidia-smi memory.total in MiB; null: none found (memory_gib is the datasheet's)."
    )
    memory_bandwidth_gbps: PositiveFloat = Field(description="Peak memory bandwidth in GB/s.")
    fp16_dense_tflops: PositiveFloat = Field(description="Dense (no sparsity) FP16 tensor TFLOPS.")
    bf16_dense_tflops: PositiveFloat | None = Field(
        default=None, description="Dense (no sparsity) BF16 tensor TFLOPS; null when the GPU has no BF16 (T4)."
    )
    fp8_dense_tflops: PositiveFloat | None = Field(
        default=None, description="Dense FP8 tensor TFLOPS; null when the GPU has no FP8 tensor cores."
    )
    fp4_dense_tflops: PositiveFloat | None = Field(
        default=None, description="Dense FP4 (NVFP4) tensor TFLOPS; null when the GPU has no FP4 tensor cores."
    )
    arch: GpuArch | None = Field(default=None, description="Architecture and compute capability; null: unknown.")


class PricePart(BaseModel):
    """One row of a price table that a machine's price is the sum of (GCP: host part + GPU part)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    row: str = Field(min_length=3, description="The source row, e.g. 'L4 x1 GPU' or 'g2-standard-4 host'.")
    count: PositiveInt = Field(default=1, description="How many of the row the machine has (GPUs for a per-GPU row).")
    on_demand: float = Field(ge=0, description="The row's on-demand USD per hour.")
    spot: float | None = Field(default=None, ge=0, description="The row's spot USD per hour; null: not in the source.")


class RegionOffer(BaseModel):
    """Where and at what price an instance type is offered in one region."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zones: tuple[str, ...] = Field(min_length=1, description="Zones of the region known to offer the type.")
    on_demand_usd_per_hour: PositiveFloat = Field(description="Linux on-demand price per hour in USD.")
    spot_usd_per_hour: PositiveFloat | None = Field(
        default=None, description="Typical spot/preemptible price per hour in USD; null when not recorded."
    )
    parts: tuple[PricePart, ...] = Field(
        default=(), description="The source rows the prices are the sum of; empty: the source gives the total."
    )


class InstanceType(_Fact):
    """A VM shape (AWS instance type or GCP machine type) with its GPUs, size and regional offers."""

    gpu: str | None = Field(description="GPU catalog key (e.g. 'nvidia-l4'); null for CPU-only types.")
    gpus: int = Field(ge=0, description="Number of GPUs attached to one VM.")
    vcpus: PositiveInt = Field(description="Virtual CPUs.")
    memory_gib: PositiveFloat = Field(description="System memory in GiB.")
    local_nvme_gb: float | None = Field(
        ge=0, description="Local instance-store NVMe in GB (0 when none); null: not found in a source."
    )
    network_gbps: PositiveFloat | None = Field(
        description="Network bandwidth in Gbit/s (the 'up to' figure when bursty); null: not found in a source."
    )
    accelerator_type: str | None = Field(
        default=None, description="GCP accelerator type name for the node pool (e.g. 'nvidia-l4'); AWS: null."
    )
    regions: dict[str, RegionOffer] = Field(min_length=1, description="Regions offering this type, by region name.")


class Region(_Fact):
    """A cloud region and its zones."""

    zones: tuple[str, ...] = Field(min_length=1, description="Zone names in a stable order (append new ones).")


class RopeScaling(BaseModel):
    """A rope-scaling setting as config.json spells it (`rope_scaling`, or `rope_parameters` in Transformers v5)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rope_type: str = Field(description="Scaling method, e.g. 'yarn'.")
    factor: PositiveFloat = Field(description="Scaling factor.")
    original_max_position_embeddings: PositiveInt | None = Field(
        default=None, description="Context the model was trained at (YaRN scales this one)."
    )


class ContextLimit(_Fact):
    """The longest context the engine accepts for a model, from its published config.json."""

    max_position_embeddings: PositiveInt = Field(
        description="max_position_embeddings of the published config.json (any built-in rope scaling applied)."
    )
    rope_scaling: RopeScaling | None = Field(
        default=None,
        description="A rope scaling the model card documents but the published config does not enable; null: none.",
    )
    hub_ids: dict[str, PositiveInt] = Field(
        default_factory=dict,
        description="max_position_embeddings of published configs of this shape that differ from the one above "
        "(a base model beside its instruct release), by hub id.",
    )


# Methods a published checkpoint is stored in: the ones a stack may request, and Meta's fbgemm_fp8 (sized as fp8).
Quantization = Literal["fp8", "fbgemm_fp8", "awq", "gptq", "modelopt", "modelopt_fp4"]


class QuantizedCheckpoints(_Fact):
    """Published checkpoints of a model whose stored weights are already quantized."""

    hub_ids: dict[str, Quantization] = Field(
        min_length=1, description="Hub id (org/name) of each quantized checkpoint and its quantization method."
    )
    kept_16bit_params_b: dict[str, PositiveFloat] = Field(
        default_factory=dict,
        description="Linear-layer parameters (billions) a checkpoint's quantization_config leaves at 16 bits "
        "(modules_to_not_convert), by hub id; a checkpoint not named quantizes every linear layer.",
    )

    kv_cache_dtype: dict[str, Literal["fp8_e4m3"]] = Field(
        default_factory=dict,
        description="The KV-cache dtype vLLM resolves --kv-cache-dtype auto to, by hub id (a ModelOpt checkpoint's "
        "kv_cache_quant_algo); a checkpoint not named keeps the model's dtype.",
    )

    @model_validator(mode="after")
    def _kept_names_a_checkpoint(self) -> QuantizedCheckpoints:
        for field, named in (
            ("kept_16bit_params_b", self.kept_16bit_params_b),
            ("kv_cache_dtype", self.kv_cache_dtype),
        ):
            unknown = sorted(set(named) - set(self.hub_ids))
            if unknown:
                raise ValueError(f"{field} names {unknown}, which hub_ids does not list")
        return self


class ModelShape(_Fact):
    """The architecture numbers of one model that sizing needs (from its config.json and model card)."""

    name: str = Field(description="Display name, e.g. 'Llama 3.1 8B'.")
    hub_ids: tuple[str, ...] = Field(default=(), description="Hub ids (org/name) whose weights have this shape.")
    params_b: PositiveFloat = Field(description="Total parameters in billions (embeddings included).")
    active_params_b: PositiveFloat | None = Field(
        default=None, description="Parameters active per token in billions (MoE); null: all of them."
    )
    expert_params_b: PositiveFloat | None = Field(
        default=None,
        description="Routed-expert parameters in billions, all layers (MoE; no router, no shared expert); null: dense.",
    )
    layers: PositiveInt = Field(description="Transformer layers (num_hidden_layers).")
    hidden_size: PositiveInt = Field(description="Model width (hidden_size).")
    attention_heads: PositiveInt = Field(description="Query heads (num_attention_heads).")
    kv_heads: PositiveInt = Field(description="Key/value heads (num_key_value_heads; GQA when < attention_heads).")
    head_dim: PositiveInt = Field(description="Dimension of one attention head.")
    vocab_size: PositiveInt = Field(description="Vocabulary size.")
    tie_word_embeddings: bool = Field(
        default=False, description="tie_word_embeddings of config.json: the lm_head shares the embedding's weights."
    )
    context: PositiveInt = Field(description="Default (maximum) context length in tokens.")
    weight_bits: PositiveFloat = Field(
        default=16, description="Average bits per parameter of the published checkpoint (16 for BF16 weights)."
    )
    torch_dtype: Literal["bfloat16", "float16", "float32"] = Field(
        default="bfloat16", description="torch_dtype of the published config.json (the unquantized weights)."
    )
    sliding_window: PositiveInt | None = Field(
        default=None, description="sliding_window of config.json when some layers use it; null: every layer is full."
    )
    sliding_layers: NonNegativeInt | None = Field(
        default=None, description="Layers that slide (sliding_attention in layer_types); null: all, given a window."
    )
    kv_lora_rank: PositiveInt | None = Field(
        default=None, description="kv_lora_rank of a multi-head latent attention model (DeepSeek-V3); null: none."
    )
    qk_rope_head_dim: NonNegativeInt | None = Field(
        default=None, description="qk_rope_head_dim cached beside the MLA latent; null: 0."
    )
    context_limit: ContextLimit | None = Field(
        default=None, description="The engine's context limit for this model; null: not recorded (unknown)."
    )
    quantized: QuantizedCheckpoints | None = Field(
        default=None, description="Published quantized checkpoints of this shape; null: none recorded."
    )

    @model_validator(mode="after")
    def _context_names_a_hub_id(self) -> ModelShape:
        named = set(self.context_limit.hub_ids) if self.context_limit is not None else set()
        unknown = sorted(named - set(self.hub_ids))
        if unknown:
            raise ValueError(f"context_limit.hub_ids names {unknown}, which hub_ids does not list")
        return self


class Factor(_Fact):
    """One efficiency factor or time estimate used by the sizing model."""

    value: float = Field(gt=0, description="The factor (a fraction for efficiencies, seconds or GB/s otherwise).")
    unit: str = Field(description="What the value measures, e.g. 'fraction of peak' or 's'.")


class TensorParallelScaling(_Fact):
    """Share of the ideal TP-fold speed-up a tensor-parallel group keeps (all-reduce and launch overheads)."""

    efficiency: dict[int, float] = Field(min_length=1, description="Efficiency by tensor-parallel degree (0-1].")


class ServicePrice(_Fact):
    """A fixed list price of a managed service (control plane, NAT, load balancer, storage)."""

    usd: float = Field(ge=0, description="Price in USD per unit.")
    unit: Literal["hour", "gb", "gb_month", "month"] = Field(description="What one unit is.")
    note: str = Field(default="", description="Region or tier the price applies to, caveats.")
    region: str | None = Field(
        default=None, description="The region `usd` is the price of; null: the same price in every region."
    )
    regions: dict[str, float] = Field(
        default_factory=dict, description="The price in other regions (same unit), where the source gives one."
    )

    def price_in(self, region: str) -> tuple[float, str]:
        """The price in `region` and the region whose price it is (the reference region when none is recorded)."""
        if self.region is None:
            return self.usd, "all regions"
        if region in self.regions:
            return self.regions[region], region
        return self.usd, self.region


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EfficiencyFactors(_Table):
    """The efficiency factors of the roofline model."""

    decode_mbu: Factor = Field(description="Memory-bandwidth utilization of a decode step on one GPU.")
    prefill_mfu: Factor = Field(description="FLOPS utilization of prefill.")
    decode_mfu: Factor = Field(description="FLOPS utilization of a compute-bound decode batch.")
    runtime_non_torch_gib: Factor = Field(description="GPU memory per GPU outside torch's allocator, one GPU.")
    activation_peak_gib: Factor = Field(description="Activation peak per GPU of the profile's forward pass.")
    sampler_warmup_bytes: Factor = Field(description="Bytes per logit of the profile's sampler pass (sorting).")
    sampler_warmup_bytes_triton: Factor = Field(description="sampler_warmup_bytes with the Triton top-k/top-p.")
    fused_allreduce_latency_s: Factor = Field(
        description="allreduce_latency_s where vLLM fuses each all-reduce with the residual add and RMSNorm."
    )
    cuda_reserved_gib: Factor = Field(description="GPU memory the CUDA runtime's total leaves out of nvidia-smi's.")
    runtime_overhead_spread_gib: Factor = Field(
        description="How far the runtime memory per GPU may sit from its estimate either way."
    )
    step_overhead_s: Factor = Field(description="Fixed time of every forward pass (scheduler, sampling, launches).")
    prefill_stall: Factor = Field(description="Share of prefill time chunked prefill does not hide in decode steps.")
    legacy_sequence_overhead_s: Factor = Field(
        description="CPU time per running sequence per decode step that vLLM before 0.6 did not overlap with the GPU."
    )
    multi_step_prefill_stall: Factor = Field(
        description="prefill_stall of vLLM 0.6 multi-step scheduling (--num-scheduler-steps > 1: no chunked prefill)."
    )
    multi_step_sequence_overhead_s: Factor = Field(
        description="Time per running sequence per decode step of vLLM 0.6's V0 engine with multi-step scheduling."
    )
    v1_sequence_overhead_s: Factor = Field(
        description="Engine-core host time per running sequence per step of vLLM's V1 engine (0.8 on)."
    )
    v1_request_latency_s: Factor = Field(
        description="vLLM's time to first token outside the GPU passes for a request that runs alone."
    )
    v1_request_latency_per_token_rate: Factor = Field(
        description="What each output token/s the other running sequences stream adds to vLLM's first-token time "
        "outside the GPU passes (s per token/s)."
    )
    v0_max_num_seqs: Factor = Field(
        description="vLLM's --max-num-seqs default on every GPU before V1 (v0.8) set it by GPU memory."
    )
    v0_batched_tokens_floor: Factor = Field(
        description="vLLM V0's least --max-num-batched-tokens without chunked prefill: max(max_model_len, this)."
    )
    moe_gemm: Factor = Field(description="Share of dense GEMM speed grouped expert (MoE) GEMMs keep.")
    moe_serial: Factor = Field(
        description="Share of the shorter of expert weight streaming and expert math a fused MoE kernel adds (1: sum)."
    )
    moe_layer_floor_s: Factor = Field(description="Fixed time of one MoE layer's fused expert kernels in every pass.")
    trtllm_moe_overlap: Factor = Field(description="Share of what moe_serial adds that TensorRT-LLM MoE GEMMs hide.")
    marlin_moe_overlap: Factor = Field(description="Share of what moe_serial adds that vLLM's Marlin MoE kernel hides.")
    sglang_request_latency_s: Factor = Field(description="SGLang's fixed first-token latency outside the GPU passes.")
    int4_gemm: Factor = Field(description="Share of 16-bit GEMM speed weight-only sub-byte kernels keep.")


class Interconnect(_Fact):
    """What one tensor-parallel all-reduce costs on a kind of GPU link."""

    allreduce_latency_s: float = Field(gt=0, description="Fixed time of one small all-reduce, seconds.")
    link_gbps: float = Field(gt=0, description="All-reduce bus bandwidth per GPU for large messages, GB/s.")
    non_torch_gib: float = Field(
        gt=0, description="GPU memory per GPU outside torch's allocator on a tensor-parallel replica over this link."
    )
    non_torch_source: str = Field(description="Where non_torch_gib comes from.")


class GpuEfficiency(_Fact):
    """How close one GPU type's decode steps come to its peak bandwidth, and how its GPUs talk to each other."""

    decode_mbu: float = Field(gt=0, le=1, description="Memory-bandwidth utilization of a decode step on one GPU.")
    interconnect: Literal["nvlink", "pcie"] = Field(description="The link tensor-parallel all-reduces cross.")
    max_num_seqs: int = Field(gt=0, description="vLLM's default --max-num-seqs for its API server on this GPU.")
    max_num_batched_tokens: int = Field(gt=0, description="vLLM's default --max-num-batched-tokens on this GPU.")
    legacy_sequence_overhead_s: float | None = Field(
        default=None,
        gt=0,
        description="vLLM < 0.6 CPU time per running sequence per step on this GPU's hosts; null: the shared factor.",
    )
    non_torch_tp_gib: float | None = Field(
        default=None, gt=0, description="The link's non_torch_gib for this GPU where measured apart; null: the link's."
    )
    defaults_before_v0_9: tuple[PositiveInt, PositiveInt] | None = Field(
        default=None,
        description="vLLM 0.8's (max_num_seqs, max_num_batched_tokens) where they differ from v0.9 on; null: the same.",
    )


class AcceleratedStartup(_Table):
    """What the accelerated cold-start path changes: lazy image, image unpack on local NVMe, tuned streamer."""

    lazy_image_fraction: Factor = Field(description="Share of the image read before the container starts (lazy).")
    streamer_concurrency: Factor = Field(description="Run:ai streamer concurrency tuned for object storage.")
    streamer_bucket_gbps: Factor = Field(description="Bucket read into one pod at the tuned concurrency, GB/s.")
    nvme_image_pull_gbps: Factor = Field(description="Image pull and unpack onto the node's local NVMe, GB/s.")
    parallel_pull_time_share: Factor = Field(description="Pull time left with SOCI parallel pull onto local NVMe.")
    parallel_pull_min_vcpus: Factor = Field(description="vCPUs below which nodeadm ignores FastImagePull.")
    parallel_pull_min_memory_gib: Factor = Field(description="GiB of memory below which nodeadm ignores it.")


class EngineWarmup(_Table):
    """The engine's start around the weight load; only the torch.compile term is cached across replicas."""

    engine_init_s: Factor = Field(description="Container start to weight load: imports, CUDA init, workers.")
    compile_s: Factor = Field(description="torch.compile on an empty cache.")
    compile_cached_s: Factor = Field(description="torch.compile when the persisted cache holds the artifacts.")
    cuda_graph_sizes: CudaGraphSizes = Field(description="vLLM's rule for the batch sizes it captures graphs for.")
    piecewise_graph_s: Factor = Field(description="Capture of one PIECEWISE CUDA graph (every start).")
    full_graph_s: Factor = Field(description="Capture of one FULL decode CUDA graph (every start).")
    profile_s: Factor = Field(description="Memory profiling and KV-cache allocation.")
    server_ready_s: Factor = Field(description="Engine core ready to the API server's health endpoint answering.")


class StartupTimes(_Table):
    """The parts of a cold start: node, image, weights, engine."""

    node_ready_s: dict[str, Factor] = Field(description="Seconds to a Ready GPU node, by cloud.")
    image_gb: Factor = Field(description="Engine image size in GB.")
    image_pull_gbps: Factor = Field(description="Image pull and unpack throughput in GB/s.")
    weight_load_gbps: dict[Literal["bucket", "local"], Factor] = Field(
        description="Weight read throughput into one pod in GB/s: from the bucket, or from the local cache volume."
    )
    warmup: EngineWarmup = Field(description="The engine's warm-up term by term (compile cached or not), in seconds.")
    staging_copy_gbps: Factor = Field(
        description="Hub-to-bucket copy throughput of the staging Job (one file at a time) in GB/s."
    )
    safety_factor: Factor = Field(description="Multiplier from the expected cold start to the probe budget.")
    scale_in_hold: Factor = Field(description="Multiple of a replica's return time the autoscaler waits to remove one.")
    accelerated: AcceleratedStartup = Field(description="The terms of the accelerated path (pool cold_start).")


class EfficiencyCatalog(_Table):
    """Everything in efficiency.yaml."""

    factors: EfficiencyFactors = Field(description="Roofline efficiency factors.")
    gpus: dict[str, GpuEfficiency] = Field(description="Per GPU type: decode bandwidth use and interconnect.")
    interconnects: dict[Literal["nvlink", "pcie"], Interconnect] = Field(description="All-reduce cost per link kind.")
    tensor_parallel: TensorParallelScaling = Field(description="Tensor-parallel scaling losses.")
    startup: StartupTimes = Field(description="Cold-start time estimates.")
