"""`inferstack size`'s flags as the planner's Request: checked, and refused with exit 2 naming the flag and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from inferstack.infra.cli.common import EXIT_INVALID

if TYPE_CHECKING:
    from inferstack.infra.cli.size_model import SizedModel
    from inferstack.planning.batch_job import Lengths
    from inferstack.planning.serving import Request


def fail(message: str) -> typer.Exit:
    """Print a flag mistake to stderr and exit 2 (invalid input), never a traceback."""
    typer.echo(message, err=True)
    return typer.Exit(EXIT_INVALID)


def check_flags(*, dtype: str, cloud: str | None, store: str, cold_start: str | None, kv_cache_dtype: str) -> None:
    """Each value flag names a choice `size` knows; a mistake exits 2 naming the flag and the choices."""
    if dtype not in ("auto", "bfloat16", "float16", "fp8", "awq", "gptq", "modelopt_fp4"):
        raise fail(
            f"--dtype: unknown {dtype!r} — use auto, bfloat16 (bf16), float16 (fp16), fp8, awq, gptq or modelopt_fp4"
        )
    if cloud is not None and cloud not in ("aws", "gcp"):
        raise fail(f"--cloud: unknown {cloud!r} — use aws or gcp")
    if store not in ("bucket", "local"):
        raise fail(f"--store: unknown {store!r} — use bucket or local")
    if cold_start not in (None, "default", "accelerated"):
        raise fail(f"--cold-start: unknown {cold_start!r} — use default or accelerated")
    if kv_cache_dtype not in ("auto", "fp8", "fp8_e4m3", "fp8_e5m2"):
        raise fail(f"--kv-cache-dtype: unknown {kv_cache_dtype!r} — use auto, fp8, fp8_e4m3 or fp8_e5m2")


def check_modes(
    *, rank: str, compare_all: bool, capacity: str | None, batch: int | None, lengths: str, clients: int | None
) -> None:
    """The flags that pick what `size` answers go together; a mistake exits 2 naming the flag and the fix."""
    if rank not in ("tokens", "nodes"):
        raise fail(f"--rank: unknown {rank!r} — use tokens or nodes")
    if batch is not None and (compare_all or capacity is not None):
        raise fail("--batch: sizes one option's job — drop --compare/--capacity, or size each GPU in turn")
    if rank != "tokens" and not compare_all:
        raise fail("--rank: ranks the options of --compare — add --compare")
    if lengths not in ("fixed", "sharegpt"):
        raise fail(f"--lengths: unknown {lengths!r} — use fixed or sharegpt")
    if lengths != "fixed" and batch is None:
        raise fail("--lengths: spreads the requests of a --batch job — add --batch N")
    if lengths != "fixed" and clients is not None:
        raise fail("--lengths sharegpt: sizes a job queued at once — drop --concurrency, or use --lengths fixed")


def request(
    found: SizedModel,
    gpu: str,
    tp: int,
    dtype: str,
    concurrency: int | None,
    prompt: int | None,
    output: int | None,
    rps: float | None,
    ttft_ms: float | None,
    tpot_ms: float | None,
    context: int | None,
    compare_all: bool,
    store: str = "bucket",
    kv_cache_dtype: str = "auto",
    max_num_seqs: int | None = None,
    cold_start: str = "default",
    vllm_version: str | None = None,
    batch: int | None = None,
    batch_lengths: Lengths = "fixed",
) -> Request:
    """The planner's Request for `size`'s flags; a flag mistake exits 2 naming the flag and the fix."""
    from inferstack import catalog
    from inferstack.planning import precision
    from inferstack.planning.context import ModelContext, catalog_context, context_problem
    from inferstack.planning.engine_version import parse_release
    from inferstack.planning.serving import DEFAULT_OUTPUT, DEFAULT_PROMPT, Request
    from inferstack.planning.throughput import Objectives

    if not compare_all and gpu not in catalog.gpus():
        raise fail(f"--gpu: unknown GPU {gpu!r} — choose one of: {', '.join(sorted(catalog.gpus()))}")
    shape = found.shape
    limits = (
        catalog_context(found.catalog_key, found.name)
        if found.catalog_key
        else ModelContext(found.name, found.max_context)
    )
    if context is not None and (problem := context_problem(context, limits)):
        raise fail(f"--context: {problem[0]} — {problem[1]}")
    checkpoint = found.checkpoint
    requested = None if dtype in ("auto", "bfloat16", "float16") else dtype
    if requested is not None and found.config_quantization not in (None, requested):
        raise fail(
            f"--dtype: the config.json is quantized with {found.config_quantization}: vLLM loads it with that method "
            f"and refuses {requested} — use --dtype auto"
        )
    on_gpu = None if compare_all else gpu
    mismatch = (precision.dtype_problem(dtype, gpu, flags=True) if on_gpu else None) or precision.quantization_problem(
        requested, on_gpu, checkpoint, flags=True
    )
    if mismatch is not None:
        raise fail(f"--dtype: {mismatch[0]} — {mismatch[1]}")
    if on_gpu and (kv_problem := precision.kv_cache_dtype_problem(kv_cache_dtype, on_gpu, flags=True)):
        raise fail(f"--kv-cache-dtype: {kv_problem[0]} — {kv_problem[1]}")
    release = parse_release(vllm_version) if vllm_version is not None else None
    if vllm_version is not None and release is None:
        raise fail(f"--vllm-version: {vllm_version!r} is not a release — give one like 0.10.2 or v0.16.0")
    loaded = precision.loaded_quantization(checkpoint, requested)
    return Request(
        shape=shape,
        gpu=gpu,
        tp=tp,
        quantization=loaded,
        kept_16bit_params_b=precision.loaded_kept_16bit_params_b(checkpoint, loaded),
        kv_cache_dtype=precision.engine_kv_cache_dtype(kv_cache_dtype, checkpoint),
        max_num_seqs=max_num_seqs,
        vllm_release=release,
        stored_bits=checkpoint.stored_bits,
        store="local" if store == "local" else "bucket",
        cold_start="accelerated" if cold_start == "accelerated" else "default",
        context=context,
        prompt=DEFAULT_PROMPT if prompt is None else prompt,
        output=DEFAULT_OUTPUT if output is None else output,
        concurrency=concurrency,
        requests_per_s=rps,
        batch=batch,
        batch_lengths=batch_lengths,
        objectives=Objectives(ttft_s=ttft_ms / 1000 if ttft_ms else None, tpot_s=tpot_ms / 1000 if tpot_ms else None),
    )
