"""The regions added for issue 15 are usable: a shipped dev stack moved there validates, with prices from there."""

from __future__ import annotations

import copy

import pytest
import yaml

from inferstack import catalog
from inferstack.planning.defaults import pool_instance_type
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks

NEW_REGIONS = [
    ("aws-dev", "eu-west-2"),
    ("aws-dev", "eu-north-1"),
    ("aws-dev", "ap-south-1"),
    ("aws-dev", "ap-southeast-2"),
    ("gcp-dev", "europe-west1"),
    ("gcp-dev", "europe-west4"),
    ("gcp-dev", "asia-southeast1"),
]


@pytest.mark.parametrize(("stack", "region"), NEW_REGIONS)
def test_the_dev_stack_validates_in_the_region_and_prices_its_pools_there(stack: str, region: str) -> None:
    data = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))
    doc = copy.deepcopy(data["config"]["inferstack:environment"])
    doc["region"] = region
    if "zones" in doc:
        # As many zones as the stack lists (a zonal GKE cluster has one), taken from the new region's table.
        doc["zones"] = list(catalog.regions(doc["cloud"])[region].zones[: len(doc["zones"])])
        # A reservation sits in a zone of the stack's: it moves with the region too.
        for pool in doc["node_pools"].values():
            for reservation in pool.get("reservations", {}).values():
                reservation["zone"] = doc["zones"][0]
    spec = parse_environment(doc, "dev")
    assert spec.region == region
    for name, pool in spec.node_pools.items():
        resolved = pool_instance_type(spec, pool)
        assert resolved is not None, name
        type_name, itype = resolved
        # The pool's type is offered in the region itself, in zones the region has.
        assert region in itype.regions, (name, type_name)
        assert set(itype.regions[region].zones) <= set(catalog.regions(spec.cloud)[region].zones)
