"""Lower floors never import higher ones: spec knows no catalog or planning, planning knows no validation or SDK.

Every import in a module counts (module level, `TYPE_CHECKING` blocks and lazy imports inside functions): a lazy
import is still a dependency, only a later one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPONENTS = Path(__file__).resolve().parent.parent / "components"
PULUMI = ("pulumi", "pulumi_aws", "pulumi_gcp", "pulumi_kubernetes", "pulumi_policy")
CLOUD_SDKS = ("boto3", "botocore", "google", "kubernetes")
# What each package (a folder of components/, by import name) must not import, by module-name prefix.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "inferstack.spec": ("inferstack.catalog", "inferstack.planning", "inferstack.validation", *PULUMI, *CLOUD_SDKS),
    "inferstack.catalog": ("inferstack.spec", "inferstack.planning", "inferstack.validation", *PULUMI, *CLOUD_SDKS),
    "inferstack.planning": (
        "inferstack.validation",
        "inferstack.aws",
        "inferstack.gcp",
        "inferstack.k8s",
        "inferstack.kubernetes",
        "inferstack.infra",
        "inferstack.policies",
        *PULUMI,
        *CLOUD_SDKS,
    ),
}


def module_name(path: Path) -> str:
    """The import name of a file under components/."""
    parts = path.relative_to(COMPONENTS).with_suffix("").parts
    return ".".join(("inferstack", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            # `from inferstack import catalog` imports a sub-package by name.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """Each forbidden import in the package's files, as `file:line imports module`."""
    folder = COMPONENTS.joinpath(*package.split(".")[1:])
    out = []
    for path in sorted(folder.rglob("*.py")):
        for line, name in imports_of(path):
            if any(name == prefix or name.startswith(f"{prefix}.") for prefix in forbidden):
                out.append(f"{path.relative_to(COMPONENTS.parent)}:{line} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_above_it(package: str) -> None:
    assert COMPONENTS.joinpath(*package.split(".")[1:]).is_dir(), package
    found = violations(package, FORBIDDEN[package])
    assert not found, f"{package} must not import these (move the code up a floor):\n" + "\n".join(found)


def test_the_walker_sees_imports_at_every_depth() -> None:
    # validation sits above catalog and planning: if the walker missed these, every rule above would pass vacuously.
    assert violations("inferstack.validation", ("inferstack.catalog", "inferstack.planning.auto"))
    names = {name for _, name in imports_of(COMPONENTS / "environment.py")}
    assert {"inferstack.validation.check_spec", "inferstack.aws.environment.AwsEnvironment"} <= names
