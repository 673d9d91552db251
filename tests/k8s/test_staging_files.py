"""Staging copies what the engine loads: duplicate formats skipped, allow/deny globs, a deadline from the size.

The file lists are the published layouts of real revisions (Llama 3.1 with Meta's `original/` folder, Mistral with
`consolidated.safetensors` beside the sharded weights, a `.bin`-only repository, a Mistral-format-only one).
"""

from __future__ import annotations

import math
import os
import sys

import pytest

from inferstack import catalog
from inferstack.k8s import scripts
from inferstack.k8s.file_selection import select_files
from inferstack.k8s.staging import job_deadline_s, staging_job
from inferstack.planning.capacity import spec_stored_weights_gb
from inferstack.spec.models import ModelSpec, StagingSpec

REV = "0e9e39f249a16976918f6564b8830bc894c89659"
LLAMA = [
    ".gitattributes",
    "LICENSE",
    "README.md",
    "config.json",
    "generation_config.json",
    *(f"model-0000{i}-of-00004.safetensors" for i in range(1, 5)),
    "model.safetensors.index.json",
    "original/consolidated.00.pth",
    "original/params.json",
    "original/tokenizer.model",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
]
MISTRAL = [
    "config.json",
    "consolidated.safetensors",
    *(f"model-0000{i}-of-00003.safetensors" for i in range(1, 4)),
    "model.safetensors.index.json",
    "params.json",
    "tokenizer.json",
    "tokenizer.model",
    "tokenizer.model.v3",
    "tokenizer_config.json",
]


def test_llama_skips_the_original_folder_and_keeps_weights_and_tokenizer() -> None:
    chosen = select_files(LLAMA)
    assert not [name for name in chosen if name.startswith("original/")]
    assert [name for name in chosen if name.endswith(".safetensors")] == [
        f"model-0000{i}-of-00004.safetensors" for i in range(1, 5)
    ]
    assert {"config.json", "tokenizer.json", "model.safetensors.index.json", "generation_config.json"} <= set(chosen)


def test_mistral_skips_consolidated_beside_sharded_safetensors() -> None:
    chosen = select_files(MISTRAL)
    assert "consolidated.safetensors" not in chosen
    assert "model-00001-of-00003.safetensors" in chosen and "tokenizer.model" in chosen


def test_without_safetensors_everything_is_kept() -> None:
    files = ["config.json", "pytorch_model.bin", "tokenizer.json"]
    assert select_files(files) == files
    native = ["consolidated.safetensors", "params.json", "tekken.json"]
    assert select_files(native) == native  # Mistral-format only: consolidated is the weights


def test_allow_brings_back_a_duplicate_and_deny_drops_more() -> None:
    assert "original/consolidated.00.pth" in select_files(LLAMA, allow=["original/*"])
    assert "README.md" not in select_files(LLAMA, deny=["*.md"])
    # allow wins over deny (and over the default skip).
    assert "original/params.json" in select_files(LLAMA, allow=["original/params.json"], deny=["original/*"])


def _embedded() -> dict[str, object]:
    namespace: dict[str, object] = {"os": os, "sys": sys}
    exec(scripts._SELECT, namespace)  # the very text the Job and the cache filler run
    return namespace


@pytest.mark.parametrize(
    "files", [LLAMA, MISTRAL, ["pytorch_model.bin", "config.json"]], ids=["llama", "mistral", "bin"]
)
def test_the_jobs_embedded_rule_is_the_tested_rule(files: list[str]) -> None:
    embedded = _embedded()["select_files"]
    assert callable(embedded)
    assert embedded(files, ["original/*"], ["*.json"]) == select_files(files, ["original/*"], ["*.json"])
    assert embedded(files) == select_files(files)


def test_the_job_fails_when_deny_leaves_no_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    staged = _embedded()["staged"]
    assert callable(staged)
    monkeypatch.setenv(scripts.DENY_ENV, '["*.safetensors"]')
    with pytest.raises(SystemExit, match=r"staging\.deny"):
        staged(LLAMA)
    monkeypatch.setenv(scripts.DENY_ENV, "[]")
    assert staged(LLAMA) == select_files(LLAMA)


def model(source: str, **extra: object) -> ModelSpec:
    return ModelSpec.model_validate({"source": source, "pool": "l4", **extra})


def test_job_carries_the_patterns_and_a_deadline_from_the_checkpoint_size() -> None:
    spec = model(f"hf://meta-llama/Llama-3.1-8B-Instruct@{REV}", staging={"allow": ["original/params.json"]})
    job = staging_job("small", spec, "s3://bucket")
    env = {item["name"]: item.get("value") for item in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env[scripts.ALLOW_ENV] == '["original/params.json"]' and env[scripts.DENY_ENV] == "[]"
    assert job["spec"]["activeDeadlineSeconds"] == job_deadline_s(spec) == 3600  # 16 GB: the one-hour floor


def test_an_810_gb_checkpoint_gets_more_than_the_former_six_hours() -> None:
    spec = model(f"hf://meta-llama/Llama-3.1-405B-Instruct@{REV}")
    stored = spec_stored_weights_gb(spec)
    assert stored is not None and stored == pytest.approx(811.8, abs=0.1)
    facts = catalog.efficiency().startup
    expected = math.ceil(stored / facts.staging_copy_gbps.value * facts.safety_factor.value)
    assert job_deadline_s(spec) == expected > 6 * 3600


def test_unknown_shape_gets_a_day_and_patterns_are_validated() -> None:
    assert job_deadline_s(model(f"hf://someone/unknown-model@{REV}")) == 24 * 3600
    with pytest.raises(ValueError, match="allow"):
        StagingSpec.model_validate({"allow": ["has space"]})
    with pytest.raises(ValueError, match="deny"):
        StagingSpec.model_validate({"deny": [""]})


def test_the_priced_bucket_is_what_staging_copies() -> None:
    from inferstack.infra.review.cost import bucket_size_gb
    from inferstack.validation import load_stack_file
    from tests.conftest import shipped_stacks

    spec = load_stack_file(shipped_stacks()["aws-prod"])
    staged = [spec_stored_weights_gb(model) for model in spec.models.values()]
    assert all(size is not None for size in staged)
    # Qwen2.5-72B and Llama 3.1 8B in BF16: their safetensors only, not Meta's original/ copy of the 8B.
    assert bucket_size_gb(spec) == pytest.approx(sum(size for size in staged if size is not None), abs=0.1)
    assert bucket_size_gb(spec) == pytest.approx((72.7 + 8.03) * 2, abs=1.0)
