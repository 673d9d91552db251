"""Importing components: another team's program runs from the source tree and from an installed wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.review.policy_check import evaluate, mandatory
from tests.examples.team_program import program

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = Path(__file__).resolve().parent / "examples" / "team_program.py"


def check_plan_types(types: set[str]) -> None:
    assert {
        "inferstack:index:EksGpuNodePool",
        "aws:eks/nodeGroup:NodeGroup",
        "inferstack:index:InferenceService",
    } <= types
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


# A team's repo with its own `components`, `infra` and `policies` packages (the layout most Pulumi repos
# have): an installed inferstack must neither shadow them nor be shadowed by them.
USER_PACKAGES = {
    "components": "from_the_team = 'components'",
    "infra": "from_the_team = 'infra'",
    "policies": "from_the_team = 'policies'",
}

DRIVER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import components, infra, policies
    import inferstack, inferstack.infra, inferstack.policies
    from inferstack import EksGpuNodePool
    from inferstack.infra.offline.engine import run_offline
    import team_program
    plan = run_offline(team_program.program, stack="search")
    print(json.dumps({
        "inferstack": [m.__file__ for m in (inferstack, inferstack.infra, inferstack.policies)],
        "team": [m.from_the_team for m in (components, infra, policies)],
        "pool": EksGpuNodePool.__module__,
        "types": sorted({r.type for r in plan.resources}),
        "typed": all((Path(m.__file__).parent / "py.typed").exists()
                     for m in (inferstack, inferstack.infra, inferstack.policies)),
    }))
    """
)


def build_wheel(tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("inferstack-*.whl")
    return wheel


def fresh_venv_with(wheel: Path, tmp_path: Path) -> tuple[Path, str]:
    """A new virtualenv holding the wheel; its dependencies come from this environment's site-packages."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Path entries only: this environment's editable-install links of inferstack are not on them. Every
    # site-packages on sys.path counts, as a virtualenv may itself take its dependencies from another one.
    own = sysconfig.get_paths()["purelib"]
    dependency_dirs = [own, *(entry for entry in sys.path if entry.endswith("site-packages") and entry != own)]
    Path(site, "deps.pth").write_text("\n".join(dependency_dirs) + "\n")
    install = [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True)
    return python, site


def test_the_wheel_installs_one_package_and_nothing_top_level_of_ours(tmp_path: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(build_wheel(tmp_path)).namelist()
    roots = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert roots == {"inferstack"}
    assert "inferstack/catalog/data/gpus.yaml" in names
    assert "inferstack/policies/PulumiPolicy.yaml" in names


def test_a_team_repo_with_its_own_packages_uses_the_installed_wheel(tmp_path: Path) -> None:
    import json

    python, site = fresh_venv_with(build_wheel(tmp_path), tmp_path)
    repo = tmp_path / "team-repo"
    for package, body in USER_PACKAGES.items():
        (repo / package).mkdir(parents=True)
        (repo / package / "__init__.py").write_text(body + "\n")
    shutil.copy(EXAMPLE, repo / "team_program.py")
    (repo / "driver.py").write_text(DRIVER)
    (repo / "Pulumi.yaml").write_text("name: search\nruntime: python\nstackConfigDir: stacks\n")
    (repo / "stacks").mkdir()
    shutil.copy(REPO / "stacks" / "Pulumi.aws-dev.yaml", repo / "stacks" / "Pulumi.team-dev.yaml")
    result = subprocess.run([str(python), "driver.py"], cwd=repo, check=True, capture_output=True, text=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(path.startswith(site) for path in report["inferstack"]), report["inferstack"]
    assert report["team"] == ["components", "infra", "policies"]
    assert report["pool"].startswith("inferstack.")
    assert report["typed"]
    check_plan_types(set(report["types"]))
    listed = subprocess.run(
        [str(python), "-m", "inferstack.infra.cli", "stacks"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout
    assert "team-dev" in listed and "aws-prod" not in listed, listed
