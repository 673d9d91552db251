"""The GCP project the environment lives in, as the provider itself reports it, and the APIs it needs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from inferstack.catalog.gke import gke_facts


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


def required_services(*, binary_authorization: bool = False) -> tuple[str, ...]:
    """The Google APIs the environment's resources call (catalog/data/gke.yaml), sorted."""
    facts = gke_facts().project_services
    extra = facts.binary_authorization_services if binary_authorization else {}
    return tuple(sorted({*facts.services, *extra}))


def enable_services(
    name: str, opts: pulumi.ResourceOptions, *, binary_authorization: bool = False
) -> dict[str, gcp.projects.Service]:
    """Turn on every API the environment needs in the provider's project, never turning one off again.

    `disable_on_destroy=False`: other workloads of the project may use the same APIs, and disabling one
    (container.googleapis.com, say) would break them; a destroyed environment leaves its APIs on.
    """
    return {
        service: gcp.projects.Service(
            f"{name}-api-{service.split('.', 1)[0]}",
            service=service,
            disable_on_destroy=False,
            disable_dependent_services=False,
            opts=opts,
        )
        for service in required_services(binary_authorization=binary_authorization)
    }


@dataclass(frozen=True)
class GcpProviders:
    """The provider every environment resource uses, and the APIs it waits for."""

    provider: pulumi.ProviderResource
    services: dict[str, gcp.projects.Service]


def environment_provider(
    parent: pulumi.ComponentResource,
    name: str,
    region: str | None,
    project: str | None,
    own: pulumi.ProviderResource | None,
    *,
    binary_authorization: bool = False,
) -> GcpProviders:
    """The environment's provider, registered only once its APIs are on, so every resource and lookup waits for them.

    Pulumi does not pass a component's depends_on down to the resources inside it; a provider that depends on the
    APIs does hold back everything that uses it. The APIs are enabled through a second provider with the same
    settings (the one they gate cannot create them). A caller's own provider is used as it is: the APIs are
    enabled through it, and ordering is then the caller's (enable them first in a new project).
    """
    if own is not None:
        enabled = enable_services(
            name, pulumi.ResourceOptions(parent=parent, provider=own), binary_authorization=binary_authorization
        )
        return GcpProviders(own, enabled)
    bootstrap = gcp.Provider(
        f"{name}-gcp-apis", project=project, region=region, opts=pulumi.ResourceOptions(parent=parent)
    )
    services = enable_services(
        name, pulumi.ResourceOptions(parent=parent, provider=bootstrap), binary_authorization=binary_authorization
    )
    provider = gcp.Provider(
        f"{name}-gcp",
        project=project,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(services.values())),
    )
    return GcpProviders(provider, services)
