"""Every GCP resource a shipped plan creates calls an API the plan enables (or one on before inferstack runs)."""

from __future__ import annotations

import pytest

from inferstack.catalog.gke import gke_facts
from inferstack.gcp.plan.cluster import binary_authorization
from inferstack.gcp.project import required_services
from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.plan import Plan
from inferstack.provider_types import Gcp
from tests.gcp.test_environment import STACKS, environment_program, planned, stack

BINAUTHZ_API = "binaryauthorization.googleapis.com"


def enabled_apis(plan: Plan) -> set[str]:
    """The APIs the plan turns on, plus those that must be on before it runs."""
    services = {str(res.inputs["service"]) for res in plan.of_type(Gcp.PROJECT_SERVICE)}
    return services | set(gke_facts().project_services.prerequisites)


def needed_apis(plan: Plan) -> dict[str, str]:
    """API -> a resource type that calls it, for every GCP resource of the plan."""
    apis = gke_facts().project_services.resource_apis
    needed: dict[str, str] = {}
    for res in plan.resources:
        if not res.type.startswith("gcp:") or res.type.startswith("gcp:index") or not res.custom:
            continue
        module = res.type.split(":")[1].split("/")[0]
        assert module in apis, f"{res.type}: add its module to gke.yaml project_services.resource_apis"
        needed[apis[module]] = res.type
        enforcing = (res.inputs.get("binaryAuthorization") or {}).get("evaluationMode", "DISABLED") != "DISABLED"
        if res.type == Gcp.GKE_CLUSTER and enforcing:
            needed[BINAUTHZ_API] = res.type
    return needed


@pytest.mark.parametrize("name", STACKS)
def test_every_gcp_resource_type_in_a_shipped_plan_has_its_api_enabled(name: str) -> None:
    plan = planned(name)
    needed = needed_apis(plan)
    missing = {api: kind for api, kind in needed.items() if api not in enabled_apis(plan)}
    assert not missing, missing
    assert {"compute.googleapis.com", "container.googleapis.com", "cloudkms.googleapis.com"} <= set(needed)


@pytest.mark.parametrize("enforce", [True, False])
def test_binary_authorization_brings_its_api(enforce: bool) -> None:
    spec = stack("gcp-dev")
    spec = spec.model_copy(update={"cluster": spec.cluster.model_copy(update={"binary_authorization": enforce})})
    assert binary_authorization(spec) is enforce
    plan = run_offline(environment_program(spec), stack="gcp-dev")
    assert (BINAUTHZ_API in needed_apis(plan)) is enforce
    assert (BINAUTHZ_API in enabled_apis(plan)) is enforce
    assert (BINAUTHZ_API in required_services(binary_authorization=enforce)) is enforce
    assert not set(needed_apis(plan)) - enabled_apis(plan)
