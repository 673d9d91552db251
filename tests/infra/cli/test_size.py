"""`inferstack size` and `inferstack cost`: answers, JSON, and exit 2 without a traceback on bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID

runner = CliRunner()


def test_size_reports_fit_latency_capacity_replicas_and_price() -> None:
    result = runner.invoke(app, ["size", "--model", "qwen2.5-7b", "--gpu", "nvidia-l4", "--rps", "5"])
    assert result.exit_code == 0, result.output
    for text in ("fits: yes", "KV capacity", "TTFT", "time per output token", "replicas for 5", "per 1M output tokens"):
        assert text in result.output


def test_size_json_is_data() -> None:
    result = runner.invoke(
        app,
        [
            "size",
            "--model",
            "meta-llama/Llama-3.1-8B-Instruct",
            "--gpu",
            "nvidia-h100-sxm",
            "--json",
            "--concurrency",
            "8",
            "--tpot-ms",
            "50",
        ],
    )
    data = json.loads(result.stdout)
    assert data["fits"] is True and data["capacity"]["tpot_s"] <= 0.05
    assert data["at_concurrency"]["concurrency"] == 8 and data["usd_per_million_output_tokens"] > 0


def test_size_says_when_a_model_does_not_fit() -> None:
    result = runner.invoke(app, ["size", "--model", "llama-3.1-70b", "--gpu", "nvidia-l4"])
    assert result.exit_code == 0 and "fits: no" in result.output
    # No room left for a KV cache reads as such, not as a negative size.
    assert "no room: weights and runtime fill the GPU" in result.output and "(-" not in result.output


def test_compare_ranks_options_by_price_per_token() -> None:
    result = runner.invoke(app, ["size", "--model", "qwen2.5-7b", "--compare", "--json", "--tpot-ms", "60"])
    rows = json.loads(result.stdout)
    costs = [row["usd_per_million_output_tokens"] for row in rows]
    assert rows and costs == sorted(costs)
    assert {row["price"]["cloud"] for row in rows} == {"aws", "gcp"}
    assert all(row["capacity"]["tpot_s"] <= 0.06 for row in rows)


@pytest.mark.parametrize(
    "args",
    [
        ["size", "--model", "no-such-model"],
        ["size", "--model", "qwen2.5-7b", "--gpu", "nvidia-z9"],
        ["size", "--model", "qwen2.5-7b", "--dtype", "int3"],
        ["size", "--model", "qwen2.5-7b", "--tp", "0"],
        ["size", "--model", "qwen2.5-7b", "--batch", "0"],
        ["size", "--model", "qwen2.5-7b", "--batch", "100001"],
        ["size", "--model", "qwen2.5-7b", "--batch", "10", "--compare"],
        ["size", "--model", "qwen2.5-7b", "--batch", "10", "--lengths", "zipf"],
        ["cost", "no-such-stack"],
    ],
)
def test_bad_input_exits_2_without_traceback(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_INVALID, result.output
    assert "Traceback" not in result.output


def test_cost_of_the_local_stack_prices_nothing() -> None:
    result = runner.invoke(app, ["cost", "local", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rows"] == [] and data["monthly_usd"] == {"min": 0, "max": 0}


def test_cost_prices_the_aws_dev_plan_at_min_and_max() -> None:
    result = runner.invoke(app, ["cost", "aws-dev", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    types = {row["type"] for row in data["rows"]}
    assert "aws:eks/cluster:Cluster" in types and "aws:eks/nodeGroup:NodeGroup" in types
    assert 0 < data["monthly_usd"]["min"] < data["monthly_usd"]["max"] <= data["budget_monthly_usd"]
    (chat,) = data["models"]
    assert chat["usd_per_million_tokens"] > 0 and chat["startup_probe_s"] > 0


def test_cost_table_cites_a_source_for_every_row_and_lists_them() -> None:
    data = json.loads(runner.invoke(app, ["cost", "aws-prod", "--json"]).stdout)
    result = runner.invoke(app, ["cost", "aws-prod"])
    assert result.exit_code == 0, result.output
    sources = list(dict.fromkeys((row["source"], row["as_of"]) for row in data["rows"]))
    listed = result.stdout.split("Price sources:", 1)[1]
    for number, (source, as_of) in enumerate(sources, start=1):
        assert f"[{number}] {source} (as of {as_of})" in listed
    assert f"${data['monthly_usd']['max']:,.2f}/month at max scale" in result.stdout


def test_compare_by_nodes_ranks_by_the_monthly_cost_of_the_load() -> None:
    args = ["size", "--model", "qwen2.5-7b", "--compare", "--rank", "nodes", "--rps", "1", "--tpot-ms", "60"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    monthly = [row["load"]["monthly_usd"] for row in rows]
    assert rows and monthly == sorted(monthly) and rows[0]["load"]["nodes"] == 1
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "fewest nodes carrying 1 req/s" in table.output


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--compare", "--rank", "nodes"], "--rps"),
        (["--rank", "nodes", "--rps", "1"], "--compare"),
        (["--compare", "--rank", "gpus"], "tokens or nodes"),
    ],
)
def test_rank_mistakes_exit_2_naming_the_fix(args: list[str], names: str) -> None:
    result = runner.invoke(app, ["size", "--model", "qwen2.5-7b", *args])
    assert result.exit_code == EXIT_INVALID and names in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--compare", "--capacity", "cheap"], "--capacity: cheap is not a capacity type"),
        (["--capacity", "spot"], "--capacity ranks options: use it with --compare"),
        (["--compare", "--capacity", "spot", "--spot"], "--spot and --capacity: give one"),
    ],
)
def test_a_wrong_capacity_list_exits_2_and_says_why(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["size", "--model", "qwen2.5-7b", *args])
    assert result.exit_code == 2 and message in result.output


def test_compare_ranks_every_capacity_asked_and_explains_reserved() -> None:
    args = ["size", "--model", "qwen2.5-7b", "--compare", "--capacity", "on_demand,reserved", "--cloud", "gcp"]
    text = runner.invoke(app, args).output
    assert "(reserved)" in text and "(on_demand)" in text
    assert "reserved: priced at the on-demand rate, billed for every hour whether used or not" in text
    rows = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert {row["price"]["capacity"] for row in rows} == {"on_demand", "reserved"}


def test_a_capacity_the_runtime_estimate_decides_is_given_with_its_range() -> None:
    tight = runner.invoke(
        app,
        [
            "size",
            "--model",
            "llama-2-70b",
            "--gpu",
            "nvidia-a100-40gb",
            "--tp",
            "4",
            "--input",
            "512",
            "--output",
            "512",
        ],
    )
    assert tight.exit_code == 0 and "if vLLM's runtime takes 1 GiB more or less per GPU" in tight.output
    roomy = runner.invoke(app, ["size", "--model", "llama-3.1-8b", "--gpu", "nvidia-h100-sxm"])
    assert roomy.exit_code == 0 and "1 GiB more or less" not in roomy.output
    data = json.loads(
        runner.invoke(app, ["size", "--model", "llama-3.1-8b", "--gpu", "nvidia-h100-sxm", "--json"]).stdout
    )
    low, high = data["kv_capacity_range"]
    assert low < data["memory"]["max_sequences"] < high


def test_size_names_the_samplers_share_of_the_runtime_and_a_lower_max_num_seqs_frees_it() -> None:
    # An H100 runs 1024 sequences by default; vLLM's sampler warm-up over 1024 rows of Qwen's 152k vocabulary holds
    # several GiB that the KV cache then lacks (efficiency.yaml sampler_warmup_bytes).
    base = ["size", "--model", "qwen2.5-7b", "--gpu", "nvidia-h100-sxm", "--concurrency", "64"]
    default = runner.invoke(app, base)
    assert default.exit_code == 0, default.output
    assert "of it is the sampler's warm-up over 1024 sequences, freed by a lower --max-num-seqs" in default.output
    capped = runner.invoke(app, [*base, "--max-num-seqs", "256"])
    assert capped.exit_code == 0 and "sampler's warm-up" not in capped.output
    memory = {
        name: json.loads(runner.invoke(app, [*args, "--json"]).stdout)["memory"]
        for name, args in (("default", base), ("capped", [*base, "--max-num-seqs", "256"]))
    }
    assert memory["default"]["sampler_gib"] > 4 > memory["capped"]["sampler_gib"]
    assert memory["capped"]["max_sequences"] > memory["default"]["max_sequences"]


def test_a_batch_job_reports_its_duration_and_the_schedulers_redone_work() -> None:
    args = ["size", "--model", "qwen2.5-7b", "--gpu", "nvidia-l4", "--input", "1000", "--output", "500"]
    data = json.loads(runner.invoke(app, [*args, "--batch", "2000", "--json"]).stdout)
    job = data["batch"]
    assert job["model"] == "scheduler" and job["preemptions"] > 0
    assert job["duration_s"] == pytest.approx(2000 * 500 / job["output_tokens_per_s"])
    assert data["request"]["batch"] == 2000
    text = runner.invoke(app, [*args, "--batch", "10"]).output
    assert "batch of 10 (each to its full output)" in text and "preempts" not in text
    assert json.loads(runner.invoke(app, [*args, "--json"]).stdout)["batch"] is None
    workers = json.loads(runner.invoke(app, [*args, "--batch", "200", "--concurrency", "8", "--json"]).stdout)
    assert workers["batch"]["clients"] == 8 and workers["batch"]["running"] <= 8


def test_a_batch_of_chat_like_lengths_is_sized_queued_at_once() -> None:
    args = ["size", "--model", "qwen2.5-7b", "--gpu", "nvidia-h100-sxm", "--input", "220", "--output", "200"]
    data = json.loads(runner.invoke(app, [*args, "--batch", "1000", "--lengths", "sharegpt", "--json"]).stdout)
    assert data["batch"]["lengths"] == "sharegpt" and data["request"]["batch_lengths"] == "sharegpt"
    fixed = json.loads(runner.invoke(app, [*args, "--batch", "1000", "--json"]).stdout)["batch"]
    assert fixed["lengths"] == "fixed" and data["batch"]["duration_s"] > fixed["duration_s"]
    text = runner.invoke(app, [*args, "--batch", "1000", "--lengths", "sharegpt"]).output
    assert "batch of 1,000 (lengths spread as ShareGPT's around the means)" in text


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--lengths", "sharegpt"], "--lengths: spreads the requests of a --batch job — add --batch N"),
        (["--batch", "10", "--concurrency", "2", "--lengths", "sharegpt"], "sizes a job queued at once"),
    ],
)
def test_spread_lengths_outside_a_queued_batch_name_the_fix(extra: list[str], says: str) -> None:
    result = runner.invoke(app, ["size", "--model", "qwen2.5-7b", *extra])
    assert result.exit_code == EXIT_INVALID and says in result.output


def test_a_batch_the_gpu_cannot_hold_says_so() -> None:
    result = runner.invoke(app, ["size", "--model", "llama-3.1-70b", "--gpu", "nvidia-l4", "--batch", "10"])
    assert result.exit_code == 0 and "batch of 10: not sized — the model and one request do not fit" in result.output


def test_a_batch_with_compare_names_the_fix() -> None:
    result = runner.invoke(app, ["size", "--model", "qwen2.5-7b", "--batch", "10", "--compare"])
    assert result.exit_code == EXIT_INVALID and "--batch: sizes one option's job" in result.output
