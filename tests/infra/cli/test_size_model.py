"""`inferstack size` for any model: --model-config, a hub id from the local cache, --shape; exit 2 naming the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.infra.hf_cache import CacheMiss, cache_dir, cached_config

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hf_configs"
runner = CliRunner()


def size(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and output of `inferstack size` (stdout and stderr)."""
    result = runner.invoke(app, ["size", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "params_b", "kv_gib"),
    [
        # KV for one 32768-token sequence at bf16 on one GPU: bytes per token (test_hf_config) × 32768 / 2**30.
        ("llama-3.1-8b", 8.03, 131072 * 32768 / 2**30),
        ("mixtral-8x7b", 46.7, 131072 * 32768 / 2**30),
        ("gpt-oss-20b", 20.9, (12 * 32768 + 12 * 128) * 2048 / 2**30),
        ("deepseek-v3", 671.0, 61 * 576 * 2 * 32768 / 2**30),
    ],
)
def test_size_model_config_reports_the_shape_it_read(name: str, params_b: float, kv_gib: float) -> None:
    code, out = size(
        "--model-config", str(FIXTURES / name / "config.json"), "--gpu", "nvidia-h200", "--context", "32768", "--json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["model"] == name and data["request"]["shape"]["params_b"] == pytest.approx(params_b, rel=0.02)
    assert data["memory"]["kv_per_sequence_gib"] == pytest.approx(kv_gib)


def test_a_config_missing_a_key_exits_2_naming_it_and_the_shape_option() -> None:
    code, out = size("--model-config", str(FIXTURES / "gemma-3-4b" / "config.json"))
    assert code == EXIT_INVALID
    assert "num_attention_heads" in out and "--shape attention_heads=VALUE" in out and "Traceback" not in out
    fixed = ["--shape", "attention_heads=8,kv_heads=4,head_dim=256", "--shape", "vocab_size=262208,context=131072"]
    code, out = size("--model-config", str(FIXTURES / "gemma-3-4b" / "config.json"), *fixed, "--json")
    assert code == 0, out
    assert json.loads(out)["request"]["shape"]["sliding_layers"] == 29


def _cache(root: Path, hub_id: str, fixture: str, commit: str = "0123abcd") -> None:
    repo = root / f"models--{hub_id.replace('/', '--')}"
    (repo / "snapshots" / commit).mkdir(parents=True)
    shutil.copy(FIXTURES / fixture / "config.json", repo / "snapshots" / commit / "config.json")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit + "\n", encoding="utf-8")


def test_a_hub_id_resolves_from_the_local_cache(tmp_path: Path) -> None:
    _cache(tmp_path / "hub", "acme/tiny-oss", "gpt-oss-20b")
    code, out = size("--model", "acme/tiny-oss", "--json", env={"HF_HOME": str(tmp_path), "HF_HUB_CACHE": ""})
    assert code == 0, out
    assert json.loads(out)["request"]["shape"]["sliding_window"] == 128
    code, out = size("--model", "acme/other", env={"HF_HUB_CACHE": str(tmp_path / "hub")})
    assert code == EXIT_INVALID and "not in the Hugging Face cache" in out and "--model-config" in out


def test_the_cache_follows_hf_hub_cache_then_hf_home_and_pins_revisions(tmp_path: Path) -> None:
    assert cache_dir({"HF_HUB_CACHE": "/a", "HF_HOME": "/b"}) == Path("/a")
    assert cache_dir({"HF_HOME": "/b"}) == Path("/b/hub")
    assert cache_dir({}) == Path("~/.cache/huggingface/hub").expanduser()
    _cache(tmp_path, "acme/m", "llama-3.1-8b", commit="feed")
    env = {"HF_HUB_CACHE": str(tmp_path)}
    assert cached_config("acme/m", env).parent.name == "feed"
    assert cached_config("acme/m@feed", env).parent.name == "feed"
    for bad in ("acme/m@v9", "acme/m@../../etc", "not-a-hub-id"):
        with pytest.raises(CacheMiss):
            cached_config(bad, env)


def test_shape_adjusts_a_catalog_model_or_stands_alone() -> None:
    code, out = size("--model", "qwen2.5-7b", "--shape", "sliding_window=1024", "--context", "32768", "--json")
    assert code == 0, out
    qwen = json.loads(out)["memory"]["kv_per_sequence_gib"]
    assert qwen == pytest.approx(2 * 28 * 4 * 128 * 2 * 1024 / 2**30)  # every layer slides: 1024 tokens held
    numbers = "params_b=7,layers=32,hidden_size=4096,attention_heads=32,kv_heads=8,vocab_size=32000,context=32768"
    code, out = size("--shape", numbers, "--json")
    assert code == 0 and json.loads(out)["model"] == "inline shape"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--shape", "params_b=7"], "--shape layers: required"),
        (["--shape", "kv_heads"], "is not KEY=VALUE"),
        (["--shape", "kv_heads=eight"], "--shape kv_heads"),
        (["--model", "qwen2.5-7b", "--shape", "num_experts=8"], "not a shape key"),
        (["--model", "qwen2.5-7b", "--shape", "sliding_layers=40,sliding_window=8"], "--shape sliding_layers"),
        (["--model-config", str(FIXTURES / "gpt-oss-20b" / "config.json"), "--dtype", "awq"], "mxfp4"),
        (["--model-config", str(FIXTURES / "missing.json")], "--model-config: cannot read"),
        ([], "no model given"),
    ],
)
def test_bad_model_options_exit_2_with_the_option(args: list[str], says: str) -> None:
    code, out = size(*args)
    assert code == EXIT_INVALID and says in out and "Traceback" not in out


@pytest.mark.parametrize(("alias", "dtype"), [("bf16", "bfloat16"), ("fp16", "float16")])
def test_dtype_aliases_are_accepted(alias: str, dtype: str) -> None:
    code, short = size("--model", "qwen2.5-7b", "--dtype", alias, "--json")
    _, long = size("--model", "qwen2.5-7b", "--dtype", dtype, "--json")
    assert code == 0 and json.loads(short)["memory"] == json.loads(long)["memory"]
    code, out = size("--model", "qwen2.5-7b", "--gpu", "nvidia-t4", "--dtype", "bf16")
    assert code == EXIT_INVALID and "bfloat16 needs compute capability" in out


def test_a_config_file_not_named_config_json_is_named_by_its_own_name(tmp_path: Path) -> None:
    copy = tmp_path / "my-llama.json"
    shutil.copy(FIXTURES / "llama-3.1-8b" / "config.json", copy)
    code, out = size("--model-config", str(copy), "--gpu", "nvidia-h200", "--json")
    assert code == 0, out
    assert json.loads(out)["model"] == "my-llama"


def test_a_linear_attention_config_exits_2_instead_of_sizing_its_state_as_kv(tmp_path: Path) -> None:
    raw = json.loads((FIXTURES / "llama-3.1-8b" / "config.json").read_text(encoding="utf-8"))
    (tmp_path / "config.json").write_text(json.dumps({**raw, "full_attention_interval": 4}), encoding="utf-8")
    code, out = size("--model-config", str(tmp_path / "config.json"), "--gpu", "nvidia-h200")
    assert code == EXIT_INVALID
    assert "recurrent state" in out and "full_attention_interval" in out and "Traceback" not in out


def test_a_config_with_unconverted_layers_sizes_like_the_catalog_checkpoint() -> None:
    # Meta's fbgemm_fp8 405B read from its config.json holds what the catalog's hub id does: FP8 with 16-bit layers.
    args = ("--gpu", "nvidia-h100-sxm", "--tp", "8", "--json")
    code, out = size("--model-config", str(FIXTURES / "llama-3.1-405b-fp8" / "config.json"), *args)
    assert code == 0, out
    code_hub, out_hub = size("--model", "meta-llama/Llama-3.1-405B-FP8", *args)
    assert code_hub == 0, out_hub
    from_config, from_hub = json.loads(out), json.loads(out_hub)
    assert from_config["memory"]["weights_gib"] == pytest.approx(from_hub["memory"]["weights_gib"], rel=2e-3)
    assert from_config["startup"]["stored_weights_gb"] == pytest.approx(
        from_hub["startup"]["stored_weights_gb"], rel=2e-3
    )
    # 77.1B parameters at two bytes instead of one: ~72 GiB more than an all-FP8 405B over the 8 GPUs.
    assert from_config["memory"]["weights_gib"] > 440


def test_a_modelopt_checkpoint_is_read_from_hf_quant_config_beside_its_config(tmp_path: Path) -> None:
    # ModelOpt before 0.31 writes its settings to hf_quant_config.json; vLLM reads it when config.json has none.
    folder = tmp_path / "Llama-3.1-8B-Instruct-FP4"
    folder.mkdir()
    shutil.copy(FIXTURES / "llama-3.1-8b" / "config.json", folder / "config.json")
    fixed = ("--model-config", str(folder / "config.json"), "--gpu", "nvidia-b200", "--context", "32768", "--json")
    code, out = size(*fixed)
    assert code == 0, out
    plain = json.loads(out)
    nested = {"producer": {"name": "modelopt"}, "quantization": {"quant_algo": "NVFP4", "kv_cache_quant_algo": "FP8"}}
    (folder / "hf_quant_config.json").write_text(json.dumps(nested), encoding="utf-8")  # no quant_method, as written
    code, out = size(*fixed)
    assert code == 0, out
    fp4 = json.loads(out)
    assert fp4["request"]["quantization"] == "modelopt_fp4"
    # 4.5-bit linear layers, 16-bit embeddings; the checkpoint's FP8 KV cache halves a sequence's cache.
    assert fp4["memory"]["weights_gib"] < 0.4 * plain["memory"]["weights_gib"]
    assert fp4["memory"]["kv_per_sequence_gib"] == pytest.approx(plain["memory"]["kv_per_sequence_gib"] / 2)
    (folder / "hf_quant_config.json").write_text("[1]", encoding="utf-8")
    code, out = size(*fixed)
    assert code == EXIT_INVALID and "hf_quant_config.json is not a JSON object" in out
