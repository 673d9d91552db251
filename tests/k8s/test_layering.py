"""The workload layer imports no cloud module: it learns about the cluster only through `inferstack.target`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

K8S = Path(__file__).resolve().parents[2] / "components" / "k8s"
# What k8s/ may import from inferstack: itself, the seam, and the floors below it.
ALLOWED = ("inferstack.k8s", "inferstack.target", "inferstack.spec", "inferstack.planning", "inferstack.catalog")
CLOUD_SDKS = ("pulumi_aws", "pulumi_gcp")


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports (`from inferstack import catalog` counts as inferstack.catalog)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "inferstack":
                found += [f"inferstack.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
    return found


@pytest.mark.parametrize("path", sorted(K8S.rglob("*.py")), ids=lambda p: str(p.relative_to(K8S)))
def test_k8s_imports_only_the_seam_and_lower_floors(path: Path) -> None:
    for module in imported_modules(path):
        assert not module.startswith(CLOUD_SDKS), f"{path.name} imports the cloud SDK {module}"
        if module == "inferstack" or module.startswith("inferstack."):
            assert module.startswith(ALLOWED), f"{path.name} imports {module}: k8s/ may use only {ALLOWED}"


def test_the_scan_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from inferstack import aws\nimport pulumi_gcp\n", encoding="utf-8")
    assert imported_modules(bad) == ["inferstack.aws", "pulumi_gcp"]
