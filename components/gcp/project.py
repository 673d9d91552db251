"""The GCP project the environment lives in, as the provider itself reports it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp


@dataclass(frozen=True)
class GcpProject:
    """The project's id and number, as Outputs (the number names Google's service agents)."""

    project_id: pulumi.Output[str]
    number: pulumi.Output[str]


def current_project(opts: pulumi.InvokeOptions | None = None) -> GcpProject:
    """The project of the provider in `opts` (its `project`, else GOOGLE_PROJECT and the provider's fallbacks)."""
    # The provider already resolves gcp:project and its fallbacks; asking it (instead of reading config here)
    # gives one answer for stack config, environment and library users alike, and works under the mocks.
    found = gcp.organizations.get_project_output(opts=opts)
    return GcpProject(
        project_id=found.project_id.apply(lambda value: str(value)),
        number=found.number.apply(lambda value: str(value)),
    )
