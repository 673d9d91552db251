"""The GCP machine-type table: every GPU type has a GKE accelerator type and plans in every region it claims."""

from __future__ import annotations

import pytest

from inferstack import catalog
from inferstack.gcp.plan.nodes import Accelerators, plan_gke_gpu_pool
from inferstack.spec import EnvironmentSpec
from inferstack.validation import check_environment

GCP_TYPES = catalog.instance_types("gcp")
GPU_OFFERS = sorted(
    (name, region) for name, itype in GCP_TYPES.items() if itype.gpu is not None for region in itype.regions
)


@pytest.mark.parametrize("name", sorted(GCP_TYPES))
def test_accelerator_type_exactly_when_the_type_has_gpus(name: str) -> None:
    itype = GCP_TYPES[name]
    assert (itype.accelerator_type is not None) == (itype.gpu is not None) == (itype.gpus > 0)


@pytest.mark.parametrize("name", sorted(GCP_TYPES))
def test_offered_zones_belong_to_their_region(name: str) -> None:
    regions = catalog.regions("gcp")
    for region, offer in GCP_TYPES[name].regions.items():
        assert region in regions, f"{name}: region {region} missing from regions.yaml"
        assert set(offer.zones) <= set(regions[region].zones), f"{name} in {region}"


@pytest.mark.parametrize(("name", "region"), GPU_OFFERS)
def test_every_gpu_type_plans_in_every_region_it_claims(name: str, region: str) -> None:
    itype = GCP_TYPES[name]
    assert itype.gpu is not None
    zones = list(itype.regions[region].zones)
    spec = EnvironmentSpec.model_validate(
        {
            "name": "cat",
            "cloud": "gcp",
            "region": region,
            "zones": zones,
            "node_pools": {
                "p": {"gpu": itype.gpu, "gpus_per_node": itype.gpus, "instance_type": name, "max": 1},
            },
        }
    )
    pool_issues = [issue for issue in check_environment(spec) if issue.path.startswith("environment.node_pools")]
    assert pool_issues == []
    plan = plan_gke_gpu_pool(spec, "p")
    assert plan.accelerators is not None and itype.accelerator_type is not None
    assert (plan.machine_type, plan.accelerators) == (name, Accelerators(itype.accelerator_type, itype.gpus))
    assert plan.zones == tuple(zones)
