"""Importing components: another team's program runs from the source tree and from an installed wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

from infra.engine import run_offline
from infra.policy_check import evaluate, mandatory
from tests.examples.team_program import program

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = Path(__file__).resolve().parent / "examples" / "team_program.py"


def check_plan_types(types: set[str]) -> None:
    assert {"inferstack:index:GpuNodePool", "aws:eks/nodeGroup:NodeGroup", "inferstack:index:InferenceService"} <= types
    assert "kubernetes:apps/v1:Deployment" in types


def test_example_runs_from_the_source_tree() -> None:
    plan = run_offline(program, stack="search")
    check_plan_types({resource.type for resource in plan.resources})
    assert plan.outputs["namespace"] == "llm-chat"
    assert mandatory(evaluate(plan)) == []


def test_readme_shows_the_example() -> None:
    readme = (REPO / "README.md").read_text()
    body = EXAMPLE.read_text().split('"""', 2)[2].strip()
    assert body in readme, "the README's import example must be tests/examples/team_program.py (after its docstring)"


DRIVER = textwrap.dedent(
    """
    import json, sys
    import components, infra, policies
    from pathlib import Path
    from infra.engine import run_offline
    import team_program
    plan = run_offline(team_program.program, stack="search")
    print(json.dumps({
        "components": components.__file__, "infra": infra.__file__, "policies": policies.__file__,
        "types": sorted({r.type for r in plan.resources}),
        "typed": all((Path(m.__file__).parent / "py.typed").exists() for m in (components, infra, policies)),
    }))
    """
)


def test_example_runs_against_the_installed_wheel(tmp_path: Path) -> None:
    import json

    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("inferstack-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies come from this environment (a path entry only: its editable-install hook is not loaded).
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(EXAMPLE, work / "team_program.py")
    (work / "driver.py").write_text(DRIVER)
    result = subprocess.run([str(python), "driver.py"], cwd=work, check=True, capture_output=True, text=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for package in ("components", "infra", "policies"):
        assert report[package].startswith(site), f"{package} was imported from {report[package]}, not the wheel"
    assert report["typed"]
    check_plan_types(set(report["types"]))
