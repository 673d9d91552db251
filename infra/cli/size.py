"""`inferstack size`: capacity of a model on a GPU (`inferstack cost` lives in cost.py).

Registered on the main app by `app.py`; the numbers come from planning/, this module only
reads options and renders. Bad input exits 2 with a message, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from inferstack.infra.cli.common import out
from inferstack.infra.cli.size_cold_start import (
    cold_start_json,
    cold_starts,
    print_breakdown,
    scale_to_zero,
    scale_to_zero_line,
)
from inferstack.infra.cli.size_request import check_flags, check_modes
from inferstack.infra.cli.size_request import request as _request

if TYPE_CHECKING:
    from inferstack.planning.serving import Sizing


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _pinned() -> str:
    from inferstack.planning.engine_version import pinned_release

    major, minor = pinned_release()
    return f"vLLM {major}.{minor} (the pinned image; --vllm-version for another)"


def _capacity_range(result: Sizing) -> str:
    from inferstack.planning.kv_range import kv_capacity_range, uncertain

    low, high = kv_capacity_range(result.fit, result.request.tp)
    if not uncertain(result.fit.max_sequences, low, high):
        return ""
    return f"; {low}-{high} if vLLM's runtime takes 1 GiB more or less per GPU (its estimate decides the capacity here)"


def _sampler_share(result: Sizing) -> str:
    """Where vLLM's sampler warm-up holds a GiB or more: how much of the runtime it is and what lowers it."""
    from inferstack.planning.engine_version import vllm_max_num_seqs

    req = result.request
    if result.fit.sampler_gib < 1.0:
        return ""
    seqs = req.max_num_seqs or vllm_max_num_seqs(req.gpu, req.vllm_release)
    share = f"{result.fit.sampler_gib:.1f}"
    return f"; up to {share} of it is the sampler's warm-up over {seqs} sequences, freed by a lower --max-num-seqs"


def _print_sizing(name: str, result: Sizing) -> None:
    req, fit = result.request, result.fit
    at_req = result.at_concurrency
    running = at_req.running if at_req is not None else req.concurrency or 1
    lines = [
        f"[bold]{escape(name)}[/] on {req.tp}× {escape(req.gpu)}, {req.prompt} in / {req.output} out, as "
        + (f"vLLM {req.vllm_release[0]}.{req.vllm_release[1]}" if req.vllm_release else _pinned()),
        f"fits: {'yes' if fit.fits else '[red]no[/]'} — needs {fit.need_gib:.1f} GiB (weights {fit.weights_gib:.1f}, "
        f"KV {fit.kv_gib:.1f} for {running} running sequence(s), runtime {fit.overhead_gib:.1f}"
        + _sampler_share(result)
        + (f", LoRA adapter slots {fit.lora_gib:.1f}" if fit.lora_gib else "")
        + ") of "
        f"{fit.offer_gib:.1f} GiB offered",
        f"KV capacity: {fit.max_sequences} sequences of {req.context or req.prompt + req.output} tokens "
        + (f"({fit.kv_budget_gib:.1f} GiB)" if fit.kv_budget_gib > 0 else "(no room: weights and runtime fill the GPU)")
        + _capacity_range(result),
    ]
    if result.at_concurrency is not None:
        at = result.at_concurrency
        lines.append(
            f"at concurrency {at.concurrency}: TTFT {_ms(at.ttft_s)}, time per output token {_ms(at.tpot_s)}, "
            f"{at.output_tokens_per_s:,.0f} output tokens/s per replica, "
            f"memory-bandwidth use {at.bandwidth_utilization:.0%}, GPU memory used {fit.need_gib / fit.offer_gib:.0%}"
        )
        if at.queue_s > 0:
            lines.append(
                f"  the engine runs {at.running} at once (max_num_seqs or KV cache); the other "
                f"{at.concurrency - at.running} wait {_ms(at.queue_s)} on average (included in TTFT)"
            )
    if result.capacity is not None:
        cap = result.capacity
        lines.append(
            f"capacity (objectives met): concurrency {cap.concurrency}, "
            f"{cap.output_tokens_per_s:,.0f} output tokens/s, "
            f"{cap.requests_per_s:.2f} req/s per replica (TTFT {_ms(cap.ttft_s)}, TPOT {_ms(cap.tpot_s)})"
        )
    elif fit.fits:
        lines.append("[red]no concurrency meets the objectives[/]")
    if result.load is not None:
        lines.append(result.load.describe())
    if result.batch is not None:
        lines.append(escape(result.batch.describe()))
    elif req.batch is not None:
        why = "no request fits the KV cache" if fit.fits else "the model and one request do not fit (above)"
        lines.append(f"[red]batch of {req.batch}: not sized — {why}[/]")
    if result.price is not None:
        price = result.price
        dollars = result.usd_per_million_tokens
        replicas = result.replicas or 1
        lines.append(
            f"price: {escape(price.instance_type)} {price.capacity} in {price.cloud} {price.region} "
            f"${price.node_usd_per_hour:.2f}/h per node (prices as of {price.as_of}); "
            f"${price.replica_usd_per_hour * replicas:.2f}/h for {replicas} replica(s)"
            + (f"; ${dollars:.3f} per 1M output tokens at capacity" if dollars is not None else "")
        )
    for estimate in cold_starts(result).values():
        lines.append(escape(estimate.summary()))
    lines.append(escape(scale_to_zero_line(result)))
    for line in lines:
        out().print(line, highlight=False)


def size_command(
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="Model catalog key (qwen2.5-7b), or a hub id (catalog or local Hugging Face cache)."
        ),
    ] = None,
    model_config: Annotated[
        Path | None, typer.Option("--model-config", help="A Hugging Face config.json to size (any model).")
    ] = None,
    shape: Annotated[
        list[str] | None,
        typer.Option("--shape", help="KEY=VALUE shape numbers (repeatable, or comma-separated) over the model's own."),
    ] = None,
    gpu: Annotated[str, typer.Option("--gpu", help="GPU catalog key, e.g. nvidia-l4.")] = "nvidia-l4",
    tp: Annotated[int, typer.Option("--tp", min=1, max=8, help="Tensor-parallel degree.")] = 1,
    dtype: Annotated[
        str,
        typer.Option("--dtype", help="Weights: auto, bfloat16 (bf16), float16 (fp16), fp8, awq, gptq or modelopt_fp4."),
    ] = "auto",
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="Concurrent sequences per replica.")
    ] = None,
    # Defaults resolved when the command runs (planning.serving's typical request), so the planning modules
    # load only for `size`, not for every command the app holds.
    prompt: Annotated[
        int | None, typer.Option("--input", min=1, help="Prompt tokens per request (default: a typical chat prompt).")
    ] = None,
    output: Annotated[
        int | None, typer.Option("--output", min=1, help="Output tokens per request (default: a typical answer).")
    ] = None,
    rps: Annotated[float | None, typer.Option("--rps", min=0.0, help="Target requests per second.")] = None,
    batch: Annotated[
        int | None,
        typer.Option(
            "--batch",
            min=1,
            # Followed step by step: 100,000 long prompts on a large GPU take ~20 s (tests/bench/benchmark.py).
            max=100_000,
            help="An offline job of this many requests (queued at once, or sent by --concurrency workers): its "
            "duration on one replica.",
        ),
    ] = None,
    lengths: Annotated[
        str,
        typer.Option(
            "--lengths",
            help="With --batch: fixed (every request at --input/--output) or sharegpt (spread around them like chat "
            "traffic, queued at once).",
        ),
    ] = "fixed",
    ttft_ms: Annotated[float | None, typer.Option("--ttft-ms", min=0.0, help="TTFT objective in ms.")] = None,
    tpot_ms: Annotated[float | None, typer.Option("--tpot-ms", min=0.0, help="Per-token objective in ms.")] = None,
    context: Annotated[
        int | None, typer.Option("--context", min=1, help="Configured max context (max_model_len).")
    ] = None,
    cloud: Annotated[str | None, typer.Option("--cloud", help="Price in this cloud only (aws, gcp).")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Price in this region only.")] = None,
    spot: Annotated[bool, typer.Option("--spot", help="Price spot/preemptible capacity.")] = False,
    capacity: Annotated[
        str | None, typer.Option("--capacity", help="With --compare: on_demand,spot,reserved (any of them).")
    ] = None,
    compare_all: Annotated[
        bool, typer.Option("--compare", help="Rank every GPU/instance/region option (see --rank).")
    ] = False,
    rank: Annotated[
        str,
        typer.Option(
            "--rank",
            help="With --compare: tokens ($ per 1M output tokens at full capacity) or nodes (monthly cost of the "
            "fewest nodes that carry --rps or --concurrency, the total concurrent requests).",
        ),
    ] = "tokens",
    store: Annotated[
        str, typer.Option("--store", help="Where replicas read weights: bucket or local (start-up time).")
    ] = "bucket",
    kv_cache_dtype: Annotated[
        str, typer.Option("--kv-cache-dtype", help="KV cache: auto (model dtype), fp8, fp8_e4m3 or fp8_e5m2.")
    ] = "auto",
    max_num_seqs: Annotated[
        int | None, typer.Option("--max-num-seqs", min=1, help="Engine cap on running sequences (default: vLLM's).")
    ] = None,
    vllm_version: Annotated[
        str | None,
        typer.Option(
            "--vllm-version",
            help="Size the vLLM release you run, e.g. 0.10.2: its batch cap, scheduling and host costs "
            "(default: the pinned image's).",
        ),
    ] = None,
    cold_start: Annotated[
        str | None,
        typer.Option(
            "--cold-start",
            help="The pool's cold-start path, default or accelerated (sets the probe budget); prints both term by "
            "term with sources.",
        ),
    ] = None,
    max_loras: Annotated[
        int, typer.Option("--max-loras", min=0, max=64, help="LoRA adapter slots vLLM preallocates (0: no LoRA).")
    ] = 0,
    max_lora_rank: Annotated[
        int, typer.Option("--max-lora-rank", help="Rank of each LoRA slot: 1, 8, 16, 32, 64, 128, 256, 320 or 512.")
    ] = 16,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Does a model fit a GPU, how fast is it, how many replicas, what does a token cost."""
    from inferstack.infra.cli.size_compare import capacity_list, compare_options
    from inferstack.infra.cli.size_model import sized_model, with_lora
    from inferstack.planning.kv_range import kv_capacity_range
    from inferstack.planning.serving import cheapest_price, size
    from inferstack.spec.base import canonical_dtype

    dtype = canonical_dtype(dtype)
    check_flags(dtype=dtype, cloud=cloud, store=store, cold_start=cold_start, kv_cache_dtype=kv_cache_dtype)
    found = sized_model(model, model_config, shape or [])
    check_modes(
        rank=rank, compare_all=compare_all, capacity=capacity, batch=batch, lengths=lengths, clients=concurrency
    )
    request = _request(
        found,
        gpu,
        tp,
        dtype,
        concurrency,
        prompt,
        output,
        rps,
        ttft_ms,
        tpot_ms,
        context,
        compare_all,
        store,
        kv_cache_dtype,
        max_num_seqs,
        cold_start or "default",
        vllm_version,
        batch,
        "sharegpt" if lengths == "sharegpt" else "fixed",
    )
    if max_loras:
        request = with_lora(request, max_loras, max_lora_rank)
    if compare_all or capacity is not None:
        where = {"cloud": cloud, "region": region, "capacities": capacity_list(capacity, spot=spot, ranked=compare_all)}
        compare_options(request, rank, where, as_json)
        return
    price = cheapest_price(gpu, tp, cloud=cloud, region=region, spot=spot)
    result = size(request, price, price.cloud if price else "aws")
    limit = found.max_context
    if as_json:
        data = {"model": found.name, "max_context": limit, **result.to_dict(), "cold_start": cold_start_json(result)}
        data["kv_capacity_range"] = list(kv_capacity_range(result.fit, request.tp))
        typer.echo(json.dumps({**data, "scale_to_zero": scale_to_zero(result)}, indent=2, default=str))
    else:
        _print_sizing(found.name, result)
        if cold_start is not None:
            print_breakdown(result)
        known = f"{limit} tokens" if limit is not None else "unknown (the catalog does not record it for this model)"
        out().print(f"max context: {known}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add `size` to the main app."""
    app.command("size")(size_command)
