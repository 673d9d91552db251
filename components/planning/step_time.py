"""The time of one forward pass of a replica: a decode step for a batch, or the prefill of one prompt.

Pure arithmetic on `sizing.py`'s dataclasses. A time is the physical roofline (bytes over peak bandwidth, FLOPs over
peak dense FLOPS) divided by efficiency factors ≤ 1, so it is never shorter than `Efficiency.physical()` gives.
"""

from __future__ import annotations

from inferstack.planning.kv_cache import kv_bytes_per_sequence
from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape, embedding_bytes, weight_bytes


def shared_params_b(shape: Shape) -> float:
    """Parameters (billions) of a MoE every token reads: all but the routed experts and the embeddings.

    Without `expert_params_b`, the attention projections of every layer (Q, K, V, O at the head widths; an MLA layer's
    latent projections in place of K and V), which leaves out shared experts and dense layers.
    """
    if shape.expert_params_b is not None:
        # The spec check reports counts that do not add up; sizing meanwhile keeps within the active parameters.
        return min(shape.active_b, max(0.0, shape.params_b - shape.expert_params_b - shape.embedding_params_b))
    query_out = shape.attention_heads * shape.head_dim * 2
    if shape.latent_attention:
        # DeepSeek-V2/V3: K and V come from a cached latent (kv_lora_rank + rope) expanded per head, not from hidden.
        latent = (shape.kv_lora_rank or 0) + shape.qk_rope_head_dim
        key_value = shape.hidden_size * latent + (shape.kv_lora_rank or 0) * shape.attention_heads * shape.head_dim * 2
        per_layer = shape.hidden_size * query_out + key_value
    else:
        per_layer = shape.hidden_size * (query_out + shape.kv_heads * shape.head_dim * 2)
    return min(shape.active_b, shape.layers * per_layer / 1e9)


def matmul_params_b(shape: Shape) -> float:
    """Parameters (billions) one token multiplies by: all of a dense model's but an untied input embedding (a lookup).

    A MoE's active count already leaves the lookup out (the model cards' and `param_count.py`'s convention).
    """
    return shape.active_params_b if shape.active_params_b is not None else shape.params_b - shape.lookup_only_params_b


def _routed_share(shape: Shape) -> tuple[float, float, float]:
    """Shared and routed expert parameters (billions) of a MoE, and the routed share one token uses (0s when dense)."""
    if shape.active_params_b is None:
        return 0.0, 0.0, 0.0
    shared = shared_params_b(shape)
    embedded = shape.embedding_params_b
    experts = shape.params_b - shared - embedded
    if shape.expert_params_b is not None:
        experts = min(experts, shape.expert_params_b)
    if experts <= 0:
        # An inline shape whose attention and embeddings account for every parameter: nothing is routed.
        return shared, 0.0, 0.0
    share = min(1.0, max(0.0, (shape.active_b - shared - (embedded - shape.lookup_only_params_b)) / experts))
    return shared, experts, share


def _routed_bytes(shape: Shape, prec: Precision) -> tuple[float, float]:
    """Bytes of all routed expert weights of a MoE and the share of them one token uses (0s when dense)."""
    shared, experts, share = _routed_share(shape)
    if experts <= 0:
        return 0.0, 0.0
    body = weight_bytes(shape, prec) - embedding_bytes(prec, shape.embedding_params_b)
    return body * experts / (shared + experts), share


def expert_read_bytes(shape: Shape, prec: Precision, tokens: int) -> float:
    """Bytes of routed expert weights one pass over `tokens` tokens reads (0 for a dense model).

    Each token routes to top-k of E experts per layer (k/E of the expert weights); a batch of n tokens touches an
    expected 1 - (1 - k/E)^n of them (independent routing).
    """
    routed, share = _routed_bytes(shape, prec)
    if routed <= 0 or tokens <= 0:
        return 0.0
    return routed * (1 - (1 - share) ** tokens)


def weights_read_bytes(shape: Shape, prec: Precision, tokens: int) -> float:
    """Weight bytes one forward pass over `tokens` tokens reads: a MoE touches more distinct experts as tokens grow.

    An untied input embedding is looked up row by row, so only the lm_head of the embedding parameters is streamed.
    """
    embedded = shape.embedding_params_b
    head = embedding_bytes(prec, embedded - shape.lookup_only_params_b)
    body = weight_bytes(shape, prec) - embedding_bytes(prec, embedded)
    if tokens <= 0:
        return head + body
    # The shared part is read once whatever the batch; the routed experts as far as the batch touches them.
    return head + body - _routed_bytes(shape, prec)[0] + expert_read_bytes(shape, prec, tokens)


def expert_matmul_params_b(shape: Shape) -> float:
    """Routed expert parameters (billions) one token multiplies by (0 for a dense model)."""
    _, experts, share = _routed_share(shape)
    return experts * share


def gemm_efficiency(shape: Shape, prec: Precision, eff: Efficiency, acc: Accelerator) -> float:
    """What a compute-bound pass keeps of dense 16-bit GEMM speed: grouped expert GEMMs, in-matmul dequantization."""
    kept = eff.moe_gemm if shape.active_params_b is not None else 1.0
    # Weight-only kernels (AWQ/GPTQ Marlin, and FP8 Marlin on GPUs without FP8 tensor cores) dequantize in the matmul.
    weight_only = (
        prec.int4_weights
        or (prec.fp8_weights and not acc.fp8_tensor_cores)
        or (prec.fp4_weights and not acc.fp4_tensor_cores)
    )
    return kept * (eff.int4_gemm if weight_only else 1.0)


def expert_serial(prec: Precision, eff: Efficiency, acc: Accelerator) -> float:
    """`moe_serial` of the kernel vLLM runs the experts with: its Marlin MoE for weight-only experts, else fused MoE."""
    below_hopper = acc.compute_capability is not None and acc.compute_capability < 9.0
    fp8_marlin = prec.fp8_weights and not acc.fp8_tensor_cores
    fp4_marlin = prec.fp4_weights and not acc.fp4_tensor_cores
    marlin = prec.marlin_method or fp8_marlin or fp4_marlin or (prec.int4_weights and below_hopper)
    return eff.marlin_moe_serial if marlin and eff.marlin_moe_serial is not None else eff.moe_serial


def _window(shape: Shape, tokens: float) -> float:
    """Tokens a sliding-window layer attends to out of `tokens` (all of them without a window)."""
    return tokens if shape.sliding_window is None else min(tokens, shape.sliding_window)


def _pair_flops(shape: Shape, *, decode: bool) -> float:
    """FLOPs of one query against one cached position in one head: QK and AV, 2 per multiply-add each.

    vLLM runs multi-head latent attention two ways (vllm/model_executor/layers/attention/mla_attention.py, the
    module docstring): decode absorbs the up-projections and attends over the cached latent itself (QK over
    kv_lora_rank + rope, AV over kv_lora_rank); prefill expands the latent to per-head keys (qk_nope + rope) and values
    (v_head_dim, which DeepSeek-V2/V3 set to qk_nope) and runs ordinary attention.
    """
    if not shape.latent_attention:
        return 4 * shape.head_dim
    rank = shape.kv_lora_rank or 0
    if decode:
        return 2 * (rank + shape.qk_rope_head_dim) + 2 * rank
    return 2 * shape.head_dim + 2 * (shape.head_dim - shape.qk_rope_head_dim)


def decode_attention_flops(shape: Shape, context: float) -> float:
    """Attention FLOPs of one decode token over `context` tokens; sliding layers see the window."""
    attended = shape.full_layers * context + shape.sliding_layers * _window(shape, context)
    return attended * shape.attention_heads * _pair_flops(shape, decode=True)


def prefill_attention_flops(shape: Shape, prompt: int) -> float:
    """Causal attention FLOPs of prefilling `prompt` tokens; a sliding layer's token attends to at most the window."""
    window = _window(shape, prompt)
    # Token i attends to min(i, w) tokens: p²/2 for full layers, p·w - w²/2 for sliding ones.
    sliding = prompt * window - window**2 / 2
    attended = shape.full_layers * prompt**2 / 2 + shape.sliding_layers * sliding
    return attended * shape.attention_heads * _pair_flops(shape, decode=False)


def decode_read_bytes(shape: Shape, prec: Precision, acc: Accelerator, *, batch: int, context: float) -> float:
    """Bytes a decode step reads: the weights it touches and every sequence's KV cache (sliding layers: the window)."""
    return weights_read_bytes(shape, prec, batch) + batch * kv_bytes_per_sequence(shape, prec, acc.count, context)


def _bandwidth(acc: Accelerator, eff: Efficiency) -> float:
    return acc.bandwidth_gbps * 1e9 * acc.count * eff.tp(acc.count) * eff.mbu


def _flops(acc: Accelerator, eff: Efficiency, mfu: float, tflops: float | None = None) -> float:
    return (tflops or acc.tflops) * 1e12 * acc.count * eff.tp(acc.count) * mfu


def gemm_s(flops: float, kept_flops: float, rate: float, acc: Accelerator, eff: Efficiency, mfu: float) -> float:
    """Time of a pass's GEMMs: `kept_flops` of them (layers a checkpoint left at 16 bits) run at the 16-bit rate."""
    kept_rate = _flops(acc, eff, mfu, acc.tflops_16bit) if kept_flops > 0 and acc.tflops_16bit else rate
    return (flops - kept_flops) / rate + kept_flops / min(rate, kept_rate)


def attention_tflops(acc: Accelerator, prec: Precision, eff: Efficiency) -> float:
    """Peak TFLOPS attention runs at: the KV dtype's rate (16-bit unless the cache is fp8), whatever the weights use.

    vLLM's FlashAttention backends multiply queries by the cache in the cache's dtype: FP8 weights with a 16-bit KV
    cache still attend at 16 bits. The roofline (`attention_in_kv_dtype` False) never runs slower than the weights.
    Nor do the weights' kernels slow attention down: `gemm_efficiency` (grouped expert GEMMs, in-matmul
    dequantization) describes the GEMMs only, so the step functions attend at the plain prefill/decode MFU.
    """
    kv_rate = acc.tflops_fp8 if prec.kv_bytes < 2 and acc.tflops_fp8 is not None else (acc.tflops_16bit or acc.tflops)
    return kv_rate if eff.attention_in_kv_dtype else max(kv_rate, acc.tflops)


def allreduce_s(shape: Shape, acc: Accelerator, eff: Efficiency, *, tokens: float) -> float:
    """Tensor-parallel communication of one pass over `tokens` tokens: two all-reduces per layer (attention, MLP)."""
    if acc.count <= 1:
        return 0.0
    each = eff.allreduce_latency_s
    if eff.link_gbps is not None:
        # A ring all-reduce moves 2 (n - 1) / n of the activations (tokens × hidden × 2 bytes) through each GPU's link.
        each += 2 * (acc.count - 1) / acc.count * tokens * shape.hidden_size * 2 / (eff.link_gbps * 1e9)
    return 2 * shape.layers * each


def moe_floor_s(shape: Shape, eff: Efficiency) -> float:
    """Fixed time of a pass's MoE expert kernels: `moe_layer_s` per layer (0 for a dense model).

    Every layer counts: a shape does not say which layers are dense (DeepSeek's first 3 of 61, Llama 4 Maverick's
    every other one), so models with dense layers get a floor slightly too long.
    """
    return shape.layers * eff.moe_layer_s if _routed_share(shape)[1] > 0 else 0.0


def decode_step_s(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    batch: int,
    context: float,
    riders: int = 0,
    rider_prompts: int = 0,
    rider_attention: float = 0.0,
) -> float:
    """One decode step for `batch` sequences at `context` tokens: bandwidth-bound until the batch is large.

    `riders` prefill tokens of `rider_prompts` prompts (chunked prefill) may ride in the same pass, with
    `rider_attention` FLOPs of attention: they add compute, but the weights are read once for the whole pass.
    """
    bandwidth = _bandwidth(acc, eff)
    mfu = eff.decode_mfu * gemm_efficiency(shape, prec, eff, acc)
    rate = _flops(acc, eff, mfu)
    attention_rate = _flops(acc, eff, eff.decode_mfu, attention_tflops(acc, prec, eff))
    expert_bytes = expert_read_bytes(shape, prec, batch + riders)
    expert_flops = (batch + riders) * 2 * expert_matmul_params_b(shape) * 1e9
    weights_time = (weights_read_bytes(shape, prec, batch) - expert_read_bytes(shape, prec, batch)) / bandwidth
    kv_time = batch * kv_bytes_per_sequence(shape, prec, acc.count, context) / bandwidth
    # Per token: 2 FLOPs per active parameter, plus attention over the context (sliding layers: the window).
    flops = batch * 2 * matmul_params_b(shape) * 1e9 - expert_flops
    attention = batch * decode_attention_flops(shape, context) + rider_attention
    if riders:
        head = shape.embedding_params_b - shape.lookup_only_params_b
        # A prefill multiplies the lm_head by each prompt's last position only, as `prefill_s` does.
        flops += 2 * (matmul_params_b(shape) - head) * 1e9 * riders + 2 * head * 1e9 * rider_prompts
    # Grouped expert GEMMs (fused MoE kernels) overlap streaming the experts with multiplying them far less than a
    # dense GEMM does: `moe_serial` of the shorter of the two adds to the longer.
    stream, math_time = expert_bytes / bandwidth, expert_flops / rate
    experts = max(stream, math_time) + expert_serial(prec, eff, acc) * min(stream, math_time) + moe_floor_s(shape, eff)
    gemm_time = gemm_s(flops, (batch + riders) * 2 * prec.kept_16bit_params_b * 1e9, rate, acc, eff, mfu)
    if eff.kernels_in_sequence:
        # The GEMMs stream the weights while they multiply; attention then streams the KV cache while it multiplies.
        passes = max(weights_time, gemm_time) + max(kv_time, attention / attention_rate)
    else:
        passes = max(weights_time + kv_time, gemm_time + attention / attention_rate)
    gpu_time = passes + experts + allreduce_s(shape, acc, eff, tokens=batch + riders)
    cpu_time = eff.sequence_overhead_s * batch
    if eff.overlap_sequence_overhead:
        # The host prepares and post-processes sequences while the GPU runs: the slower of the two sets the pace.
        return eff.step_overhead_s + max(gpu_time, cpu_time)
    return eff.step_overhead_s + gpu_time + cpu_time


def prefill_s(
    shape: Shape, acc: Accelerator, prec: Precision, eff: Efficiency, *, prompt: int, prompts: int = 1
) -> float:
    """One pass prefilling `prompts` prompts of `prompt` tokens: 2 × active params × tokens plus causal attention.

    The pass reads the weights (those its tokens touch) once however many prompts share it; each prompt attends to
    its own tokens only.
    """
    tokens = prompt * prompts
    # The lm_head multiplies only the last position of each prompt (the one sampled): vLLM's model runner takes the
    # hidden states at the logits indices before computing logits; every other matrix multiplies every token.
    head = shape.embedding_params_b - shape.lookup_only_params_b
    body = 2 * (matmul_params_b(shape) - head) * 1e9 * tokens + 2 * head * 1e9 * prompts
    attention = prompts * prefill_attention_flops(shape, prompt)
    mfu = eff.prefill_mfu * gemm_efficiency(shape, prec, eff, acc)
    gemm_time = gemm_s(body, 2 * prec.kept_16bit_params_b * 1e9 * tokens, _flops(acc, eff, mfu), acc, eff, mfu)
    attention_time = attention / _flops(acc, eff, eff.prefill_mfu, attention_tflops(acc, prec, eff))
    weights_time = weights_read_bytes(shape, prec, tokens) / _bandwidth(acc, eff)
    if eff.kernels_in_sequence:
        # As in a decode step: attention runs between the GEMMs, so it adds to their roofline.
        passes = max(weights_time, gemm_time) + attention_time
    else:
        passes = max(weights_time, gemm_time + attention_time)
    return eff.step_overhead_s + passes + moe_floor_s(shape, eff) + allreduce_s(shape, acc, eff, tokens=tokens)
