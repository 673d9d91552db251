"""The folders install as one package, `inferstack`, and pyproject.toml lists every sub-package of it."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
FOLDERS = {"inferstack": "components", "inferstack.infra": "infra", "inferstack.policies": "policies"}


def packages_on_disk() -> set[str]:
    """Every folder with an __init__.py under the three source folders, by its import name."""
    found: set[str] = set()
    for name, folder in FOLDERS.items():
        for init in (REPO / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / folder).parts
            # infra/ and policies/ are separate roots; components/ must not hold them.
            found.add(".".join((name, *parts)))
    return found


def test_the_package_dir_maps_the_fixed_folders_to_one_import_root() -> None:
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == FOLDERS


def test_the_package_list_names_every_package_on_disk() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    missing, extra = packages_on_disk() - listed, listed - packages_on_disk()
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"
    assert not extra, f"remove from [tool.setuptools] packages in pyproject.toml: {sorted(extra)}"


def test_the_console_script_and_the_pulumi_program_use_the_package_name() -> None:
    assert PYPROJECT["project"]["scripts"]["inferstack"].startswith("inferstack.infra.cli")
    assert "main: infra/" in (REPO / "Pulumi.yaml").read_text(encoding="utf-8")
