"""inferstack as a Pulumi component provider, so programs in any Pulumi language can use it.

`pulumi package add <path to this directory>` generates an SDK for the caller's language from the schema
that Pulumi's Python component provider (`pulumi.provider.experimental`) infers from the classes here.
Cross-language arguments must be plain data, so the face offered is the whole environment built from a spec
document — the same YAML/JSON as the `inferstack:environment` stack config.
"""

# No `from __future__ import annotations`: the provider analyzer reads real annotation objects.
from typing import Any, TypedDict

import pulumi
import yaml

from inferstack.environment import LlmEnvironment
from inferstack.validation import parse_environment


class EnvironmentArgs(TypedDict):
    """Arguments of the cross-language Environment component."""

    spec: str
    """The environment spec document (YAML or JSON), as under the inferstack:environment stack config key."""


class Environment(pulumi.ComponentResource):
    """A complete LLM serving environment built from a spec document (the cross-language face of LlmEnvironment)."""

    summary: pulumi.Output[dict[str, Any]]
    """Name, cloud, region, zones, node pools and models of the environment."""

    def __init__(self, name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("inferstack:index:Environment", name, {}, opts)
        # An invalid document raises SpecError listing every problem, before any child exists.
        spec = parse_environment(yaml.safe_load(args["spec"]), name)
        environment = LlmEnvironment(name, spec, pulumi.ResourceOptions(parent=self))
        self.summary = environment.summary
        self.register_outputs({"summary": self.summary})


PROVIDER_COMPONENTS: list[type[pulumi.ComponentResource]] = [Environment]
