"""The policy pack the CLI hands to Pulumi names a virtualenv that exists, however inferstack was installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from inferstack.infra.policy_pack import (
    GENERATED_DIR,
    SHIPPED_PACK_DIR,
    named_virtualenv,
    usable_pack_dir,
)


def test_a_source_checkout_uses_the_shipped_pack_and_its_venv(tmp_path: Path) -> None:
    checkout = tmp_path / "repo"
    pack = checkout / "policies"
    shutil.copytree(SHIPPED_PACK_DIR, pack, ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / ".venv").mkdir()
    (checkout / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert named_virtualenv(pack) == (checkout / ".venv").resolve()
    assert usable_pack_dir(tmp_path / "project", shipped=pack) == pack
    assert not (tmp_path / "project").exists()


def test_a_wheel_install_gets_a_pack_naming_the_running_venv(tmp_path: Path) -> None:
    # Installed from a wheel, the pack sits in site-packages/inferstack/policies: `../.venv` does not exist there.
    site = tmp_path / "venv" / "lib" / "site-packages" / "inferstack" / "policies"
    shutil.copytree(SHIPPED_PACK_DIR, site, ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    usable = usable_pack_dir(project, shipped=site, venv=tmp_path / "venv")
    assert usable == project / GENERATED_DIR
    manifest = yaml.safe_load((usable / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"]["options"]["virtualenv"] == str(tmp_path / "venv")
    assert manifest["description"] == yaml.safe_load((site / "PulumiPolicy.yaml").read_text())["description"]
    assert (usable / "__main__.py").read_text() == (site / "__main__.py").read_text()
    assert (project / ".inferstack" / ".gitignore").read_text() == "*\n"


def test_a_system_python_leaves_the_interpreter_to_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages" / "inferstack" / "policies"
    shutil.copytree(SHIPPED_PACK_DIR, site, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("inferstack.infra.policy_pack.running_virtualenv", lambda: None)
    usable = usable_pack_dir(tmp_path / "project", shipped=site)
    options = yaml.safe_load((usable / "PulumiPolicy.yaml").read_text())["runtime"]["options"]
    assert "virtualenv" not in options
