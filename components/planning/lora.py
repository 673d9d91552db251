"""GPU memory of LoRA adapter slots: what vLLM preallocates when a model serves adapters.

Facts from vLLM's source, read 2026-12-02 (vllm-project/vllm at 01230b40 for vllm/config/lora.py and 01235a49 for
vllm/lora/layers/base_linear.py; the pinned image is v0.16.0, whose tag was not read: the repository is too large to
fetch here, catalog `k8s_addons.yaml` lora):
- With --enable-lora every supported linear layer of the model is wrapped, whatever modules an adapter targets, and
  `BaseLinearLayerWithLoRA.create_lora_weights` allocates, per wrapped layer and per slice of a packed layer,
  `lora_a_stacked` (max_loras x max_lora_rank x input) and `lora_b_stacked` (max_loras x output x max_lora_rank)
  in lora_dtype (auto: the model's dtype). The slots exist before the KV cache is sized, so they shrink it.
- Column-parallel layers (qkv, gate_up) split their output over tensor-parallel ranks and keep A whole; row-parallel
  layers (o, down) split their input and keep B whole (without fully_sharded_loras, the default).
A decoder layer is qkv (3 slices), o, gate_up (2 slices) and down; the MLP width is what the layer's parameters
leave after attention (the catalog records no intermediate_size). Mixture-of-experts layers allocate per expert;
validation refuses adapters there rather than plan them wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack.planning.model_shape import Shape
from inferstack.spec.models import ModelSpec

GIB = float(2**30)
# lora_dtype auto follows the model's activation dtype: bf16 or fp16 for every engine dtype inferstack serves.
LORA_DTYPE_BYTES = 2
# vLLM's defaults (vllm/config/lora.py): max_lora_rank 16; max_loras is the adapter count here (all resident).
DEFAULT_MAX_RANK = 16


@dataclass(frozen=True)
class LoraSlots:
    """The adapter slots one replica preallocates: how many, and the rank each holds."""

    max_loras: int
    max_rank: int


def lora_slots(model: ModelSpec) -> LoraSlots | None:
    """The model's adapter slots; None when it serves no adapters (vLLM then allocates none)."""
    if not model.adapters:
        return None
    lora = model.lora
    rank = lora.max_rank if lora is not None else DEFAULT_MAX_RANK
    count = lora.max_loras if lora is not None and lora.max_loras is not None else len(model.adapters)
    return LoraSlots(max_loras=count, max_rank=rank)


def mlp_width(shape: Shape) -> float:
    """The MLP's intermediate size implied by the parameters: per layer, 3 x hidden x width beside attention."""
    hidden, q, kv = shape.hidden_size, shape.attention_heads * shape.head_dim, shape.kv_heads * shape.head_dim
    attention = hidden * (q + 2 * kv) + q * hidden
    per_layer = (shape.active_b - shape.embedding_params_b) * 1e9 / shape.layers
    return max(0.0, (per_layer - attention) / (3 * hidden))


def slot_elements(shape: Shape, tp: int, rank: int) -> float:
    """Elements of one adapter slot over a whole replica of `tp` GPUs (every layer, A and B)."""
    hidden, q, kv = shape.hidden_size, shape.attention_heads * shape.head_dim, shape.kv_heads * shape.head_dim
    width = mlp_width(shape)
    # Held whole on every rank: A of qkv (3 slices) and gate_up (2 slices), B of o and down.
    replicated = (3 + 2) * hidden + hidden + hidden
    # Split over the ranks: B of qkv and gate_up, A of o and down.
    split = (q + 2 * kv) + 2 * width + q + width
    return shape.layers * rank * (replicated * tp + split)


def lora_gib(shape: Shape, tp: int, slots: LoraSlots | None) -> float:
    """GiB of GPU memory a replica's adapter slots take (0 without adapters)."""
    if slots is None:
        return 0.0
    return slots.max_loras * slot_elements(shape, tp, slots.max_rank) * LORA_DTYPE_BYTES / GIB


def spec_lora_gib(model: ModelSpec, shape: Shape, tp: int) -> float:
    """GiB a spec model's adapter slots take on a replica of `tp` GPUs."""
    return lora_gib(shape, tp, lora_slots(model))
