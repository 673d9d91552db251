"""On-demand semantic mutation fuzzer (not part of the test suite): plausible edits to shipped stacks, then plan.

tests/fuzz.py breaks stack files the way editors do (bytes, YAML tricks); this one makes the edits a person makes on
purpose: flip a switch, change a count, pick another GPU, region or zone that some shipped stack uses, add an
optional switch the stack does not set, drop an optional key, graft a whole block (gateway, monitoring, models, …) from
another shipped stack. The promise it checks is the product's: a stack that
validates must plan (no traceback, no engine error), price, and be a plan a cluster would run: no dangling reference
between its manifests, every manifest valid against its Kubernetes or vendored CRD schema (the checks the suite runs on
the shipped stacks). Findings are printed with the mutation that caused them; the exit code is the number
of findings (capped at 100), so CI could run it, but it is too slow for the suite.

Run: .venv/bin/python -m tests.bench.semantic_fuzz [--count N] [--seed S] [--edits E]
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
STACKS = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))
CONFIG_KEY = "inferstack:environment"
# Optional switches a person adds: (path under a pool or the environment, value).
POOL_SWITCHES: list[tuple[str, Any]] = [
    ("cold_start", {"local_nvme": True}),
    ("cold_start", {"fast_image_pull": True}),
    ("cold_start", {"image_streaming": True}),
    ("cold_start", {"compile_cache": True}),
    ("cold_start", {"local_nvme": True, "fast_image_pull": True, "compile_cache": True}),
    ("capacity", "spot"),
    ("capacity", ["spot", "on_demand"]),
    ("min", 0),
    ("gpus_per_node", 8),
    ("gpus_per_node", 4),
]
MODEL_SWITCHES: list[tuple[str, Any]] = [
    ("tensor_parallel", 2),
    ("tensor_parallel", 8),
    ("replicas", {"min": 0, "max": 2}),
    ("replicas", {"min": 1, "max": 1}),
    ("max_num_seqs", 32),
    ("max_model_len", 32768),
    ("kv_cache_dtype", "fp8"),
    ("quantization", "fp8"),
    ("dtype", "bf16"),
]


def _leaves(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*prefix, key))]
    if isinstance(node, list) and node and not all(isinstance(item, (str, int, float)) for item in node):
        return [leaf for index, value in enumerate(node) for leaf in _leaves(value, (*prefix, index))]
    return [(prefix, node)]


def _pool(document: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = document
    for part in path:
        node = node[part]
    return node


def _values_by_key(documents: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Every scalar value each key name holds in some shipped stack: the plausible replacements."""
    found: dict[str, list[Any]] = {}
    for document in documents:
        for path, value in _leaves(document):
            key = str(path[-1]) if path else ""
            if isinstance(value, (str, bool, int, float, list)) and value not in found.setdefault(key, []):
                found[key].append(value)
    return found


def _number(rng: random.Random, value: float) -> float | int:
    options = [0, 1, 2, value * 2, value / 2, value + 1, value - 1, 8, 64]
    picked = rng.choice(options)
    return int(picked) if isinstance(value, int) and not isinstance(value, bool) else picked


def mutate(
    rng: random.Random, document: dict[str, Any], values: dict[str, list[Any]], blocks: dict[str, list[Any]]
) -> tuple[dict[str, Any], str]:
    """One plausible edit of an environment document, and what it was."""
    doc = copy.deepcopy(document)
    choice = rng.randrange(5)
    if choice == 4:
        # Graft a whole block another shipped stack has (a gateway, monitoring, a cluster section, its models).
        key = rng.choice(sorted(blocks))
        doc[key] = copy.deepcopy(rng.choice(blocks[key]))
        return doc, f"{key} from another stack"
    if choice == 0 and doc.get("node_pools"):
        key = rng.choice(sorted(doc["node_pools"]))
        field, value = rng.choice(POOL_SWITCHES)
        doc["node_pools"][key][field] = value
        return doc, f"node_pools.{key}.{field} = {value!r}"
    if choice == 1 and doc.get("models"):
        key = rng.choice(sorted(doc["models"]))
        field, value = rng.choice(MODEL_SWITCHES)
        doc["models"][key][field] = value
        return doc, f"models.{key}.{field} = {value!r}"
    leaves: list[tuple[tuple[Any, ...], Any]] = [(path, value) for path, value in _leaves(doc) if path]
    path: tuple[Any, ...]
    path, value = rng.choice(leaves)
    *head, last = path
    parent = _pool(doc, tuple(head))
    if choice == 2 and head and isinstance(parent, dict):
        del parent[last]
        return doc, f"drop {'.'.join(map(str, path))}"
    key = str(last)
    if isinstance(value, bool):
        new: Any = not value
    elif isinstance(value, (int, float)):
        new = _number(rng, value)
    else:
        pool = [candidate for candidate in values.get(key, []) if candidate != value]
        if not pool:
            return doc, "no change"
        new = rng.choice(pool)
    parent[last] = new
    return doc, f"{'.'.join(map(str, path))} = {new!r} (was {value!r})"


def _clean(result: Any) -> bool:
    """The command ended by its own exit code, not by an exception (a traceback for a user)."""
    return result.exception is None or isinstance(result.exception, SystemExit)


@dataclass(frozen=True)
class Outcome:
    """What one mutant got: refused, or validated and planned; `finding` says what broke the promise."""

    planned: bool
    finding: str | None = None


def check(path: Path) -> Outcome:
    """Refused by `validate` (exit 2), or validated and answered by `plan` and `cost`; else a finding."""
    from typer.testing import CliRunner

    from inferstack.infra.cli.app import app
    from inferstack.infra.cli.common import EXIT_INVALID, EXIT_POLICY

    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(path)])
    if not _clean(result) or result.exit_code not in (0, EXIT_INVALID):
        return Outcome(False, f"validate exited {result.exit_code}: {result.exception!r}\n{result.output[-800:]}")
    if result.exit_code == EXIT_INVALID:
        return Outcome(False)
    for command, allowed in ((["plan", str(path)], (0, EXIT_POLICY)), (["cost", str(path)], (0,))):
        answer = runner.invoke(app, command)
        if answer.exit_code not in allowed or not _clean(answer):
            trace = "".join(traceback.format_exception(answer.exception)) if answer.exception else ""
            output = answer.output[-1500:] + trace[-1500:]
            return Outcome(True, f"`{command[0]}` of a valid stack exited {answer.exit_code}\n{output}")
    problems = plan_problems(path)
    return Outcome(True, "a plan that would not run:\n" + "\n".join(problems[:10]) if problems else None)


def plan_problems(path: Path) -> list[str]:
    """What a cluster would refuse in the stack's plan: dangling references, manifests off their schemas."""
    import kubernetes_validate

    from inferstack.infra.offline.stacks import plan_spec
    from inferstack.infra.review.manifests import plan_manifests
    from inferstack.validation.load import load_stack_file_checked
    from tests.crd_schemas import crd_errors, crd_files
    from tests.manifest_references import reference_problems

    checked = load_stack_file_checked(path)
    plan = plan_spec(path.stem.split(".", 1)[1], checked.spec, checked.provider_config)
    problems = reference_problems(plan)
    custom = {kind for _, kind in crd_files()}
    version = checked.spec.cluster.kubernetes_version + ".0"
    for name, doc in plan_manifests(plan).items():
        if name.startswith("helm/"):
            continue  # a release's values, not a manifest: the chart renders it
        if doc["kind"] in custom:
            problems += [f"{name}: {error}" for error in crd_errors(doc)]
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except Exception as exc:  # kubernetes_validate's errors: a manifest the API server would refuse
            problems.append(f"{name}: {type(exc).__name__}: {str(exc)[:300]}")
    return problems


def mutants(seed: int, count: int, edits: int) -> list[tuple[str, str, dict[str, Any]]]:
    """`count` mutated stack files from the shipped ones: (file name, the edits, the whole YAML document)."""
    rng = random.Random(seed)
    files = {path: yaml.safe_load(path.read_text()) for path in STACKS}
    documents = [data["config"][CONFIG_KEY] for data in files.values()]
    values = _values_by_key(documents)
    blocks: dict[str, list[Any]] = {}
    for document in documents:
        for key, block in document.items():
            if isinstance(block, dict):
                blocks.setdefault(key, []).append(block)
    made = []
    for _ in range(count):
        source = rng.choice(STACKS)
        data = copy.deepcopy(files[source])
        done = []
        for _ in range(edits):
            data["config"][CONFIG_KEY], what = mutate(rng, data["config"][CONFIG_KEY], values, blocks)
            done.append(what)
        made.append((source.name, "; ".join(done), data))
    return made


def main() -> int:
    """Mutate, validate, plan; print each finding and the tallies."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--edits", type=int, default=2, help="edits per mutant")
    args = parser.parse_args()
    tally: Counter[str] = Counter()
    findings = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, what, data) in enumerate(mutants(args.seed, args.count, args.edits)):
            target = Path(folder) / name
            target.write_text(yaml.safe_dump(data, sort_keys=False))
            outcome = check(target)
            tally["finding" if outcome.finding else "planned" if outcome.planned else "refused"] += 1
            if outcome.finding:
                findings += 1
                print(f"--- {index}: {name}: {what}\n{outcome.finding}", flush=True)
    seconds = time.perf_counter() - start
    print(f"{args.count} mutants in {seconds:.0f} s: {dict(tally)}")
    return min(findings, 100)


if __name__ == "__main__":
    sys.exit(main())
