"""Which files of a hub revision staging copies: the weights the engine loads, not the duplicate formats beside them.

Published repositories often carry the same weights twice or three times: Meta's `original/` folder
(`consolidated.*.pth`, about 16 GB for Llama 3.1 8B and 141 GB for 70B), `pytorch_model*.bin` next to
`*.safetensors`, Mistral's `consolidated.safetensors` next to the sharded `model-*.safetensors`. vLLM's
Run:ai streamer reads every `*.safetensors` under the model path in the bucket (vllm runai_streamer_loader
`list_safetensors`), so a duplicate safetensors file is not only paid for but loaded; `.bin` and `.pth` files
are never read once safetensors exist. `select_files` is self-contained (stdlib only) because staging embeds
its source in the Job's script: the rule tested here is the rule the Job runs.
"""

from __future__ import annotations

from collections.abc import Iterable

# Formats skipped when the revision has safetensors weights (fnmatch patterns on repository paths).
DUPLICATE_PATTERNS = (
    "original/*",
    "*.pth",
    "*.pt",
    "*.bin",
    "*.ckpt",
    "*.h5",
    "*.msgpack",
    "*.onnx",
    "*.onnx_data",
    "*.gguf",
)
# Mistral-format weights, skipped when Hugging Face-format safetensors exist beside them.
CONSOLIDATED_PATTERN = "consolidated*.safetensors"


def select_files(files: Iterable[str], allow: Iterable[str] = (), deny: Iterable[str] = ()) -> list[str]:
    """The files to stage, sorted: without duplicate formats when safetensors exist; `allow` wins, then `deny`."""
    from fnmatch import fnmatchcase

    names = sorted(set(files))
    allow, deny = tuple(allow), tuple(deny)

    def matches(name: str, patterns: Iterable[str]) -> bool:
        return any(fnmatchcase(name, pattern) for pattern in patterns)

    safetensors = [name for name in names if name.endswith(".safetensors")]
    skipped: list[str] = []
    if safetensors:
        skipped = list(DUPLICATE_PATTERNS)
        if any(not matches(name, [CONSOLIDATED_PATTERN]) for name in safetensors):
            skipped.append(CONSOLIDATED_PATTERN)
    return [name for name in names if matches(name, allow) or not matches(name, [*skipped, *deny])]
