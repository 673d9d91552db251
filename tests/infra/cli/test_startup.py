"""The CLI starts fast: commands that need no provider SDK never import one (measured in a fresh interpreter).

Timings are printed by tests/bench/benchmark.py; this test holds the cause of a slow start, the imports.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

SDKS = ("pulumi_kubernetes", "pulumi_aws", "pulumi_gcp")
# Runs the console-script entry point, then reports which top-level modules were loaded (on the last line).
PROBE = """
import json, sys
sys.argv = ["inferstack", *sys.argv[1:]]
from inferstack.infra.cli import main
try:
    main()
except SystemExit:
    pass
print("\\nLOADED " + json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_modules(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.rsplit("LOADED ", 1)[1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["validate", "aws-dev"],
        ["stacks"],
        ["schema"],
        ["size", "--model", "qwen2.5-7b", "--gpu", "nvidia-l4"],
    ],
    ids=lambda args: args[0],
)
def test_commands_without_a_plan_load_no_provider_sdk(args: list[str]) -> None:
    loaded = loaded_modules(*args)
    assert "inferstack" in loaded, "the probe ran the CLI"
    assert not loaded & set(SDKS), sorted(loaded & set(SDKS))


def test_version_loads_neither_pulumi_nor_the_cli_framework() -> None:
    heavy = loaded_modules("--version") & {"pulumi", "typer", "rich", "pydantic"}
    assert not heavy, sorted(heavy)


def test_the_probe_sees_an_sdk_when_a_command_loads_one() -> None:
    # The same probe on `plan` must see the SDKs, or the tests above could pass without looking.
    # (an AWS stack needs the AWS and Kubernetes SDKs; the GCP one stays unloaded there too).
    assert {"pulumi_aws", "pulumi_kubernetes"} <= loaded_modules("plan", "aws-dev")
