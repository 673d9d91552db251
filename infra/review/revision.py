"""A stack planned as it was at a git revision of the user's repository, by that revision's own code.

The revision is checked out into a temporary worktree (removed afterwards, whatever happens). When that tree
is inferstack's own source (its pyproject names the distribution `inferstack`), the revision's package is
installed into a scratch folder and its own console entry point plans the stack: old code, old stack files,
whatever the package layout was then. Any other repository (a team's project using an installed inferstack)
is planned by this inferstack with `--project` pointing into the worktree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from inferstack.infra.offline.plan import Plan
from inferstack.infra.offline.stacks import PlanFileError, read_plan
from inferstack.infra.project import Project, looks_like_path

DISTRIBUTION = "inferstack"
ENTRY_POINT = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
# Runs `module:function` named on its command line, as a console script would (no code built from strings).
LAUNCHER = (
    "import importlib, sys; module, function = sys.argv[1].split(':'); sys.argv = ['inferstack', *sys.argv[2:]]; "
    "sys.exit(getattr(importlib.import_module(module), function)())"
)


class RevisionError(RuntimeError):
    """The stack cannot be planned at that revision; the message says why."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except OSError as error:
        raise RevisionError(f"--base needs git, which cannot be run here ({error})") from None


def repository_of(project: Project) -> Path:
    """The top folder of the git repository holding the project."""
    found = _git(project.root, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise RevisionError(f"--base: the project {project.root} is not inside a git repository")
    return Path(found.stdout.strip()).resolve()


def commit_of(repo: Path, revision: str) -> str:
    """The commit a revision names in the repository."""
    found = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if found.returncode != 0 or not found.stdout.strip():
        raise RevisionError(f"--base: unknown revision {revision!r} in {repo} (a shallow clone may lack it)")
    return found.stdout.strip()


def _inside(path: Path, repo: Path, tree: Path, what: str) -> Path:
    """The same place as `path` of the repository, in the worktree."""
    try:
        return tree / path.resolve().relative_to(repo)
    except ValueError:
        raise RevisionError(f"--base: {what} {path} is outside the repository {repo}") from None


def _own_entry_point(tree: Path) -> str | None:
    """The revision's `inferstack` console script (module:function) when the tree is inferstack's source."""
    pyproject = tree / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        meta = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if meta.get("name") != DISTRIBUTION:
        return None
    script = str(meta.get("scripts", {}).get("inferstack", ""))
    if not ENTRY_POINT.match(script):
        raise RevisionError(f"--base: {pyproject} has no usable [project.scripts] inferstack entry ({script!r})")
    return script


def _plan_command(tree: Path, project_dir: Path, scratch: Path, revision: str) -> tuple[list[str], dict[str, str]]:
    """The command (and environment) that plans with the revision's code, with the plan arguments to append."""
    script = _own_entry_point(tree)
    if script is None:
        return [sys.executable, "-P", "-m", "inferstack.infra.cli", "--project", str(project_dir)], dict(os.environ)
    site = scratch / "site"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    install += ["--no-build-isolation", "--target", str(site), str(tree)]
    installed = subprocess.run(install, capture_output=True, text=True, check=False)
    if installed.returncode != 0:
        raise RevisionError(f"--base: could not install inferstack as of {revision}:\n{_tail(installed.stderr)}")
    # -P and PYTHONPATH=site only: the revision's packages, never this checkout's or the cwd's folders.
    return [sys.executable, "-P", "-c", LAUNCHER, script], {**os.environ, "PYTHONPATH": str(site)}


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def plan_at_revision(stack: str, revision: str, project: Project) -> Plan:
    """Plan a stack (a name in the project, or a path to a stack file) with the code and files of a revision."""
    repo = repository_of(project)
    commit = commit_of(repo, revision)
    with tempfile.TemporaryDirectory(prefix="inferstack-base-") as folder:
        scratch = Path(folder)
        tree = scratch / "tree"
        added = _git(repo, "worktree", "add", "--detach", str(tree), commit)
        if added.returncode != 0:
            raise RevisionError(f"--base: could not check out {revision}:\n{_tail(added.stderr)}")
        try:
            project_dir = _inside(project.root, repo, tree, "the project")
            if not project_dir.is_dir():
                raise RevisionError(f"--base: the project folder {project.root} does not exist at {revision}")
            argument = str(_inside(Path(stack), repo, tree, "the stack file")) if looks_like_path(stack) else stack
            command, env = _plan_command(tree, project_dir, scratch, revision)
            out = scratch / "plan.json"
            ran = subprocess.run(
                [*command, "plan", argument, "--json", str(out)],
                cwd=project_dir,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if not out.is_file():
                detail = _tail(ran.stderr or ran.stdout)
                raise RevisionError(f"--base: could not plan {stack} at {revision} (exit {ran.returncode}):\n{detail}")
            try:
                return read_plan(out)
            except PlanFileError as error:
                raise RevisionError(f"--base: the plan written at {revision} is unreadable: {error}") from None
        finally:
            _git(repo, "worktree", "remove", "--force", str(tree))
            _git(repo, "worktree", "prune")
