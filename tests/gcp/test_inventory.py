"""The shipped GCP stacks plan exactly what their reviewed inventories under tests/inventory/ say."""

from __future__ import annotations

import pytest

from tests.conftest import shipped_plan
from tests.inventory_check import check_inventory, inventory_path


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_gcp_stack_matches_its_inventory(stack: str) -> None:
    check_inventory(shipped_plan(stack), inventory_path(stack))
