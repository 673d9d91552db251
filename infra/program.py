"""The Pulumi program: one function from a checked spec to the environment and its stack outputs.

`pulumi up` runs it through `infra/__main__.py`; `inferstack plan` runs the very same function under the
offline engine.
"""

from __future__ import annotations

from typing import Any

import pulumi

from inferstack.environment import LlmEnvironment
from inferstack.spec import EnvironmentSpec


def build(spec: EnvironmentSpec) -> dict[str, Any]:
    """Create the environment for `spec`, export its outputs and return them."""
    # The environment creates its own explicit provider, set to the spec's region; the GCP project is the one
    # setting that lives only in the stack config (validation requires it there for stack files).
    gcp_project = pulumi.Config("gcp").get("project") if spec.cloud == "gcp" else None
    environment = LlmEnvironment(spec.name, spec, gcp_project=gcp_project)
    outputs: dict[str, Any] = {"environment": environment.summary, **environment.outputs}
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs
