"""`plan --json F --out D` killed at random moments leaves the old outputs or complete new ones, never a mix."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from tests.conftest import REPO

SEED = 13
KILLS = 5


def snapshot(json_file: Path, out_dir: Path) -> tuple[bytes | None, dict[str, bytes]]:
    """The Plan JSON's bytes and every file of the manifest folder (hidden staging siblings aside)."""
    plan = json_file.read_bytes() if json_file.exists() else None
    files = {str(p.relative_to(out_dir)): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()}
    return plan, files


def test_a_killed_plan_leaves_old_or_complete_new_outputs(tmp_path: Path) -> None:
    json_file, out_dir = tmp_path / "plan.json", tmp_path / "m"
    runner = CliRunner()
    # The new outputs, complete, and then the old ones from another stack, so old and new differ.
    assert runner.invoke(app, ["plan", "local", "--json", str(json_file), "--out", str(out_dir)]).exit_code == 0
    new = snapshot(json_file, out_dir)
    assert runner.invoke(app, ["plan", "aws-dev", "--json", str(json_file), "--out", str(out_dir)]).exit_code == 0
    old = snapshot(json_file, out_dir)
    assert old[0] != new[0] and set(old[1]) != set(new[1])
    command = [sys.executable, "-m", "inferstack.infra.cli", "plan", "local", "--json", str(json_file)]
    command += ["--out", str(out_dir)]
    started = time.monotonic()
    subprocess.run(command, cwd=REPO, capture_output=True, timeout=300, check=True)
    duration = time.monotonic() - started
    # That run finished: put the old outputs back, then kill runs late in their life, where the writes are.
    assert runner.invoke(app, ["plan", "aws-dev", "--json", str(json_file), "--out", str(out_dir)]).exit_code == 0
    rng = random.Random(SEED)
    seen = set()
    for _ in range(KILLS):
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * rng.uniform(0.6, 1.02))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        plan, files = snapshot(json_file, out_dir)
        assert plan in (old[0], new[0]), "the Plan JSON is the old one or the complete new one"
        assert files in (old[1], new[1]), "the manifest folder is the old one or the complete new one"
        json.loads(plan or b"{}")
        seen.add((plan == new[0], files == new[1]))
    assert seen, "the kills ran"
