"""The cross-language contract: the component provider's schema, generated offline and snapshot-tested.

If a change is intended, note it in CHANGELOG.md and regenerate:
.venv/bin/python -m tests.infra.provider.test_provider_schema > tests/infra/provider/provider_schema.json
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import yaml
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.schema import generate_schema

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.provider import PROVIDER_COMPONENTS, Environment, EnvironmentArgs
from inferstack.spec import CONFIG_KEY
from tests.conftest import REPO, shipped_stacks

SNAPSHOT = Path(__file__).resolve().parent / "provider_schema.json"


def schema_text() -> str:
    """The package schema Pulumi would generate SDKs from, as stable JSON."""
    result = Analyzer("inferstack").analyze(PROVIDER_COMPONENTS)
    schema = generate_schema(
        "inferstack",
        version("inferstack"),
        "inferstack",
        result["component_definitions"],
        result["type_definitions"],
        list(result["dependencies"]),
    )
    return json.dumps(schema.to_json(), indent=2, sort_keys=True) + "\n"


def test_schema_matches_the_snapshot() -> None:
    assert schema_text() == SNAPSHOT.read_text(), "regenerate: see this module's docstring"


def test_plugin_directory_is_a_python_plugin() -> None:
    plugin = REPO / "infra" / "provider"
    assert yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text())["runtime"]["name"] == "python"
    assert (plugin / "__main__.py").is_file()


def test_environment_component_builds_the_same_resources_as_a_stack() -> None:
    document = yaml.safe_load(shipped_stacks()["gcp-dev"].read_text())["config"][CONFIG_KEY]
    args: EnvironmentArgs = {"spec": json.dumps(document)}
    plan = run_offline(lambda: Environment("gcp-dev", args) and None, stack="gcp-dev")
    types = {resource.type for resource in plan.resources}
    assert {"inferstack:index:Environment", "inferstack:index:LlmEnvironment", "gcp:container/cluster:Cluster"} <= types


if __name__ == "__main__":
    sys.stdout.write(schema_text())
