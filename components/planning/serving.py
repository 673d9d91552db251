"""Serving capacity and the price of tokens: one model on one GPU option, and every model of a spec.

Combines the roofline (`sizing.py`), the catalog's GPUs, instance prices and efficiency factors. Answers
`inferstack size` (one option, or `--compare` across the catalog); `spec_serving.py` applies it to a spec.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from inferstack import catalog
from inferstack.catalog.schema import Cloud
from inferstack.planning.capacity import accelerator
from inferstack.planning.engine_version import Release, vllm_efficiency, vllm_max_num_seqs
from inferstack.planning.open_loop import LoadSizing, size_load
from inferstack.planning.precision import kv_cache_dtype_problem, stored_gb
from inferstack.planning.sizing import MemoryFit, Shape, memory_fit, precision
from inferstack.planning.startup import PathKind, StartupEstimate, StoreKind, path_accelerators, startup_estimate
from inferstack.planning.throughput import Objectives, Performance, best_performance, performance

if TYPE_CHECKING:
    from inferstack.planning.batch_job import BatchRun, Lengths

DEFAULT_PROMPT = 1000
DEFAULT_OUTPUT = 250
CLOUDS: tuple[Cloud, ...] = ("aws", "gcp")


@dataclass(frozen=True)
class Request:
    """What to size: a model shape on a GPU at a tensor-parallel degree, with a workload and objectives."""

    shape: Shape
    gpu: str
    tp: int = 1
    quantization: str | None = None
    kv_cache_dtype: str = "auto"
    context: int | None = None
    utilization: float = 0.9
    prompt: int = DEFAULT_PROMPT
    output: int = DEFAULT_OUTPUT
    concurrency: int | None = None
    # The engine's cap on running sequences (--max-num-seqs); None: vLLM's default for the GPU.
    max_num_seqs: int | None = None
    requests_per_s: float | None = None
    objectives: Objectives = field(default_factory=Objectives)
    # Bits per parameter the checkpoint stores (what the bucket holds and a replica reads); None: the shape's own.
    stored_bits: float | None = None
    # Linear-layer parameters (billions) the loaded checkpoint keeps at 16 bits (precision.Checkpoint's).
    kept_16bit_params_b: float = 0.0
    store: StoreKind = "bucket"
    # Which cold-start path the replica's pool takes (a pool's `cold_start:`); the probe budget follows it.
    cold_start: PathKind = "default"
    # GiB of LoRA adapter slots a replica preallocates (planning/lora.py); 0 without adapters.
    lora_gib: float = 0.0
    # The vLLM release sized (planning/engine_version.py); None: the pinned image's.
    vllm_release: Release | None = None
    # An offline batch job of this many requests queued at once (planning/batch_job.py); None: none sized.
    batch: int | None = None
    # How the job's lengths spread: "fixed" (all at prompt/output) or "sharegpt" (planning/length_mix.py).
    batch_lengths: Lengths = "fixed"


@dataclass(frozen=True)
class Price:
    """Where a replica runs and what it costs per hour."""

    cloud: str
    region: str
    instance_type: str
    capacity: str
    node_usd_per_hour: float
    gpus_per_node: int
    replica_usd_per_hour: float
    as_of: str


@dataclass(frozen=True)
class Sizing:
    """Everything `inferstack size` reports for one option."""

    request: Request
    fit: MemoryFit
    at_concurrency: Performance | None
    capacity: Performance | None
    replicas: int | None
    price: Price | None
    startup: StartupEstimate
    # The open-loop sizing of `request.requests_per_s` (where `replicas` comes from); None without a rate.
    load: LoadSizing | None = None
    # The offline batch job of `request.batch` requests on one replica; None without one (or when nothing fits).
    batch: BatchRun | None = None

    @property
    def usd_per_million_tokens(self) -> float | None:
        """GPU cost per million output tokens at the capacity point (None when unpriced or infeasible)."""
        if self.price is None or self.capacity is None:
            return None
        return self.price.replica_usd_per_hour / (self.capacity.output_tokens_per_s * 3600) * 1e6

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        req = asdict(self.request)
        return {
            "request": req,
            "fits": self.fit.fits,
            "memory": {**asdict(self.fit), "kv_budget_gib": self.fit.kv_budget_gib},
            "at_concurrency": asdict(self.at_concurrency) if self.at_concurrency else None,
            "capacity": asdict(self.capacity) if self.capacity else None,
            "replicas": self.replicas,
            "load": self.load.to_dict() if self.load else None,
            "price": asdict(self.price) if self.price else None,
            "usd_per_million_output_tokens": self.usd_per_million_tokens,
            "startup": self.startup.to_dict(),
            "batch": asdict(self.batch) if self.batch else None,
        }


def instance_prices(
    gpu: str, tp: int, *, cloud: str | None = None, region: str | None = None, spot: bool = False
) -> Iterator[Price]:
    """Every catalog instance with at least `tp` of this GPU (and a multiple of it), by cloud and region."""
    for cloud_name in CLOUDS if cloud is None else [c for c in CLOUDS if c == cloud]:
        for type_name, itype in catalog.instance_types(cloud_name).items():
            if itype.gpu != gpu or itype.gpus < tp or itype.gpus % tp:
                continue
            for region_name, offer in itype.regions.items():
                if region is not None and region_name != region:
                    continue
                usd = offer.spot_usd_per_hour if spot else offer.on_demand_usd_per_hour
                if usd is None:
                    continue
                yield Price(
                    cloud=cloud_name,
                    region=region_name,
                    instance_type=type_name,
                    capacity="spot" if spot else "on_demand",
                    node_usd_per_hour=usd,
                    gpus_per_node=itype.gpus,
                    # A node runs gpus/tp replicas side by side: each pays its GPUs' share of the node.
                    replica_usd_per_hour=usd * tp / itype.gpus,
                    as_of=itype.as_of.isoformat(),
                )


def cheapest_price(gpu: str, tp: int, **where: Any) -> Price | None:
    """The lowest per-replica price for this GPU and TP degree (optionally in one cloud/region, spot)."""
    prices = sorted(instance_prices(gpu, tp, **where), key=lambda p: (p.replica_usd_per_hour, p.instance_type))
    return prices[0] if prices else None


def size(request: Request, price: Price | None, cloud: str = "aws") -> Sizing:
    """Fit, latency, capacity, replicas and price of one option."""
    limit = request.max_num_seqs or vllm_max_num_seqs(request.gpu, request.vllm_release)  # also its profile's rows
    shape, eff = request.shape, replace(vllm_efficiency(request.gpu, request.vllm_release), max_num_seqs=limit)
    prec = precision(shape, request.quantization, request.kv_cache_dtype, request.kept_16bit_params_b)
    acc = accelerator(request.gpu, request.tp, request.quantization)
    context = request.context or min(shape.context, request.prompt + request.output)
    concurrency = request.concurrency or 1
    # Capacity uses the sequences that fit at this request's own length, not at the configured maximum.
    per_request = memory_fit(
        shape,
        acc,
        prec,
        eff,
        context=request.prompt + request.output,
        utilization=request.utilization,
        lora_gib=request.lora_gib,
    )
    # The engine holds what its cap and the KV cache allow; clients beyond that queue and hold no KV cache.
    running = max(1, min(limit, per_request.max_sequences, concurrency))
    fit = memory_fit(
        shape,
        acc,
        prec,
        eff,
        context=context,
        concurrency=running,
        utilization=request.utilization,
        lora_gib=request.lora_gib,
    )
    at = capacity = load = batch = None
    replicas = None
    # Weights and one full-length sequence fit: the engine runs what its cap and the KV cache allow, the rest queue.
    one = memory_fit(shape, acc, prec, eff, context=context, utilization=request.utilization, lora_gib=request.lora_gib)
    if one.fits:
        at = performance(
            shape,
            acc,
            prec,
            eff,
            prompt=request.prompt,
            output=request.output,
            concurrency=concurrency,
            max_running=min(limit, per_request.max_sequences),
        )
        capacity = best_performance(
            shape,
            acc,
            prec,
            eff,
            prompt=request.prompt,
            output=request.output,
            max_sequences=per_request.max_sequences,
            objectives=request.objectives,
            limit=limit,
        )
        if capacity is not None and request.requests_per_s is not None:
            load = size_load(
                shape,
                acc,
                prec,
                eff,
                prompt=request.prompt,
                output=request.output,
                requests_per_s=request.requests_per_s,
                objectives=request.objectives,
                engine_cap=limit,
                kv_sequences=per_request.max_sequences,
            )
            replicas = load.replicas if load is not None else None
        if request.batch is not None:
            # Loaded only for a batch job: `validate` and `plan` size serving, never a job.
            from inferstack.planning.batch_job import batch_run

            batch = batch_run(
                shape,
                acc,
                prec,
                eff,
                per_request,
                prompt=request.prompt,
                output=request.output,
                requests=request.batch,
                limit=limit,
                clients=request.concurrency,
                lengths=request.batch_lengths,
            )
    stored_bits = request.stored_bits if request.stored_bits is not None else shape.weight_bits
    start = startup_estimate(
        stored_gb(shape.params_b, stored_bits, request.kept_16bit_params_b),
        request.store,
        cloud,
        **path_accelerators(request.cold_start, cloud),
        gpu=request.gpu,
        max_num_seqs=request.max_num_seqs,
    )
    return Sizing(
        request=request,
        fit=fit,
        at_concurrency=at,
        capacity=capacity,
        replicas=replicas,
        price=price,
        startup=start,
        load=load,
        batch=batch,
    )


def compare(
    base: Request,
    *,
    cloud: str | None = None,
    region: str | None = None,
    spot: bool = False,
    sized: dict[tuple[str, int, str], Sizing] | None = None,
) -> list[Sizing]:
    """Every GPU/TP/instance/region option of the catalog that fits and meets the objectives, cheapest first.

    Each GPU, TP degree and cloud is sized once (the cloud decides the node's boot and the weights' path) and priced
    per instance and region; `sized` keeps those sizings across calls with the same `base` (one per capacity type).
    """
    memo: dict[tuple[str, int, str], Sizing] = {} if sized is None else sized
    results: list[Sizing] = []
    for gpu in catalog.gpus():
        if kv_cache_dtype_problem(base.kv_cache_dtype, gpu):
            continue  # the engine cannot keep this KV cache there
        for tp in (1, 2, 4, 8):
            request = Request(**{**base.__dict__, "gpu": gpu, "tp": tp})
            for price in instance_prices(gpu, tp, cloud=cloud, region=region, spot=spot):
                key = (gpu, tp, price.cloud)
                if key not in memo:
                    memo[key] = size(request, price, price.cloud)
                option = memo[key]
                if option.fit.fits and option.capacity is not None:
                    results.append(Sizing(**{**option.__dict__, "price": price}))
    return sorted(
        results, key=lambda s: (s.usd_per_million_tokens or float("inf"), s.price.instance_type if s.price else "")
    )
