"""On-demand benchmark (not part of the test suite): prints its figures, asserts nothing.

1. Start-up of the commands that need no provider SDK (`inferstack --version` target ≤ 0.15 s,
   `inferstack validate aws-dev` target ≤ 0.4 s), through the console script as a user runs it.
2. Wall time of `inferstack plan STACK` for each shipped stack, and its ratio to a bare
   `python -c "import …"` of the provider SDK modules that stack's plan uses (target: ≤ 1.5×).
3. Wall time and peak memory (max RSS) of the whole test suite.

Run: .venv/bin/python tests/bench/benchmark.py [--repeat N] [--skip-suite] [--only-startup]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TARGET_RATIO = 1.5
# Command -> start-up target in seconds (None: printed, no target).
STARTUP = {
    ("--version",): 0.15,
    ("validate", "aws-dev"): 0.4,
    ("stacks",): None,
    ("schema",): None,
    ("size", "--model", "qwen2.5-7b", "--gpu", "nvidia-l4"): None,
    # A batch job beyond the KV cache is followed step by step through vLLM's scheduler (planning/burst.py).
    ("size", "--model", "qwen2.5-7b", "--gpu", "nvidia-h100-sxm", "--batch", "20000"): None,
    # The largest job `--batch` takes, long prompts on the GPU with the most running sequences.
    ("size", "--model", "qwen2.5-0.5b", "--gpu", "nvidia-b200", "--input", "4000", "--batch", "100000"): None,
    # Short prompts and long outputs: the cache fills every step and vLLM preempts ~90,000 times (15.6 s at the
    # start of 2026-12-08, 8.3-8.9 s after the scheduler's fast paths that day, ~4.8 s of CPU at the next stop once
    # decode stretches and mixed steps counted their decode tokens once for the running set instead of on each request).
    (
        "size",
        "--model",
        "qwen2.5-7b",
        "--gpu",
        "nvidia-h100-sxm",
        "--batch",
        "20000",
        "--input",
        "128",
        "--output",
        "4000",
    ): None,
    # The same job at ShareGPT's spread of lengths: every finish ends a run of decode steps (11.0 s -> 5.5-7.3 s on
    # 2026-12-08, when the decoding requests ahead of the prompts stopped being walked one by one).
    (
        "size",
        "--model",
        "qwen2.5-0.5b",
        "--gpu",
        "nvidia-b200",
        "--input",
        "4000",
        "--batch",
        "100000",
        "--lengths",
        "sharegpt",
    ): None,
}


def timed(command: list[str]) -> float:
    """Wall seconds of one run of a command (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_time(command: list[str], repeat: int) -> float:
    """Median wall seconds over `repeat` runs, after one warm-up run (so the OS page cache is warm)."""
    timed(command)
    return statistics.median(timed(command) for _ in range(repeat))


def provider_imports(plan: dict) -> list[str]:
    """Import statements for the SDK classes a plan instantiates (aws:ec2/vpc:Vpc: from pulumi_aws.ec2 import Vpc).

    The provider SDKs load their modules lazily, so a bare `import pulumi_aws.ec2` loads almost nothing; importing
    the classes themselves is the fair baseline for "the provider modules the plan uses".
    """
    wanted: dict[str, set[str]] = {"pulumi": {"ComponentResource"}}
    for item in plan["resources"]:
        package, module, cls = item["type"].split(":")
        if package == "pulumi" and module == "providers":
            wanted.setdefault(f"pulumi_{cls}", set()).add("Provider")
        elif package in {"aws", "gcp"}:
            wanted.setdefault(f"pulumi_{package}.{module.split('/')[0]}", set()).add(cls)
        elif package == "kubernetes":
            group, version = module.split("/")
            candidate = f"pulumi_kubernetes.{group.split('.')[0].replace('-', '_')}.{version}"
            if group == "helm.sh":
                candidate = f"pulumi_kubernetes.helm.{version}"
            if _exists(candidate):
                wanted.setdefault(candidate, set()).add(cls)
            else:  # custom resources (KEDA, Prometheus Operator) are apiextensions.CustomResource
                wanted.setdefault("pulumi_kubernetes.apiextensions", set()).add("CustomResource")
    return [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(wanted.items())]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def cli_command() -> list[str]:
    """The console script beside this interpreter (what a user runs), else `python -m inferstack.infra.cli`."""
    script = Path(PYTHON).parent / "inferstack"
    return [str(script)] if script.is_file() else [PYTHON, "-m", "inferstack.infra.cli"]


def bench_startup(repeat: int) -> None:
    """Print the wall time of each command that must start without loading a provider SDK."""
    print(f"{'command':<52} {'s':>6} {'target':>7}")
    for args, target in STARTUP.items():
        seconds = median_time([*cli_command(), *args], repeat)
        verdict = "" if target is None else ("  [ok]" if seconds <= target else "  [ABOVE TARGET]")
        goal = f"{target:.2f}" if target is not None else "-"
        print(f"{'inferstack ' + ' '.join(args):<52} {seconds:>6.3f} {goal:>7}{verdict}")


def bench_plans(repeat: int) -> None:
    """Print plan time against a bare import of the modules the plan uses, per shipped stack."""
    stacks = sorted(path.name.split(".")[1] for path in (REPO / "stacks").glob("Pulumi.*.yaml"))
    print(f"{'stack':<10} {'resources':>9} {'plan s':>8} {'import s':>9} {'ratio':>6}")
    for stack in stacks:
        with tempfile.TemporaryDirectory() as scratch:
            plan_file = Path(scratch) / "plan.json"
            plan_command = [PYTHON, "-m", "inferstack.infra.cli", "plan", stack, "--json", str(plan_file)]
            plan_seconds = median_time(plan_command, repeat)
            plan = json.loads(plan_file.read_text())
        imports = provider_imports(plan)
        import_seconds = median_time([PYTHON, "-c", "; ".join(imports)], repeat)
        ratio = plan_seconds / import_seconds
        verdict = "ok" if ratio <= TARGET_RATIO else f"ABOVE TARGET {TARGET_RATIO}x"
        print(
            f"{stack:<10} {len(plan['resources']):>9} {plan_seconds:>8.2f} {import_seconds:>9.2f} "
            f"{ratio:>6.2f}  [{verdict}]"
        )


def bench_suite() -> None:
    """Print the wall time and the peak RSS of one full test-suite run."""
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:randomly"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
    print(f"test suite: {seconds:.1f} s wall, peak RSS {peak_mib:.0f} MiB")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command (median is shown)")
    parser.add_argument("--skip-suite", action="store_true", help="skip the test-suite run")
    parser.add_argument("--only-startup", action="store_true", help="only the CLI start-up figures")
    args = parser.parse_args()
    bench_startup(max(args.repeat, 5))
    if args.only_startup:
        return
    bench_plans(args.repeat)
    if not args.skip_suite:
        bench_suite()


if __name__ == "__main__":
    main()
