"""What to size for a spec model: the `serving.Request` its checkpoint, engine settings and load ask for, and its pool's
price."""

from __future__ import annotations

from inferstack.planning.capacity import hub_id
from inferstack.planning.defaults import pool_instance_type
from inferstack.planning.engine_version import model_release
from inferstack.planning.lora import spec_lora_gib
from inferstack.planning.precision import (
    checkpoint_of,
    engine_kv_cache_dtype,
    loaded_kept_16bit_params_b,
    loaded_quantization,
)
from inferstack.planning.serving import DEFAULT_OUTPUT, DEFAULT_PROMPT, Price, Request
from inferstack.planning.sizing import Shape
from inferstack.planning.startup import StoreKind
from inferstack.planning.throughput import Objectives
from inferstack.spec.models import EnvironmentSpec, ModelSpec, NodePoolSpec


def request_for(
    model: ModelSpec, shape: Shape, *, gpu: str, tp: int, store: StoreKind = "bucket", stored_bits: float | None = None
) -> Request:
    """What to size for a spec model on a GPU at a TP degree: its precision, context, load and objectives."""
    load = model.load
    checkpoint = checkpoint_of(hub_id(model.source), shape)
    quantization = loaded_quantization(checkpoint, model.quantization)
    return Request(
        shape=shape,
        gpu=gpu,
        tp=tp,
        quantization=quantization,
        kept_16bit_params_b=loaded_kept_16bit_params_b(checkpoint, quantization),
        kv_cache_dtype=engine_kv_cache_dtype(model.kv_cache_dtype, checkpoint),
        max_num_seqs=model.max_num_seqs,
        stored_bits=checkpoint.stored_bits if stored_bits is None else stored_bits,
        store=store,
        context=model.max_model_len,
        utilization=model.gpu_memory_utilization,
        lora_gib=spec_lora_gib(model, shape, tp),
        vllm_release=model_release(model),
        prompt=load.prompt_tokens if load else DEFAULT_PROMPT,
        output=load.output_tokens if load else DEFAULT_OUTPUT,
        requests_per_s=load.requests_per_second if load else None,
        objectives=Objectives(
            ttft_s=load.ttft_ms / 1000 if load and load.ttft_ms else None,
            tpot_s=load.tpot_ms / 1000 if load and load.tpot_ms else None,
        ),
    )


def pool_price(spec: EnvironmentSpec, pool: NodePoolSpec, tp: int) -> Price | None:
    """What a replica using `tp` GPUs of a pool's node costs (spot when the pool is spot and a price is known)."""
    resolved = pool_instance_type(spec, pool) if spec.region else None
    if resolved is None or spec.region is None:
        return None
    type_name, itype = resolved
    offer = itype.regions.get(spec.region)
    if offer is None:
        return None
    spot = pool.capacity[0] == "spot" and offer.spot_usd_per_hour is not None
    usd = offer.spot_usd_per_hour if spot and offer.spot_usd_per_hour else offer.on_demand_usd_per_hour
    capacity = "spot" if spot else "on_demand"
    return Price(
        spec.cloud, spec.region, type_name, capacity, usd, itype.gpus, usd * tp / itype.gpus, itype.as_of.isoformat()
    )
