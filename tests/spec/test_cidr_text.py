"""A CIDR is written as text: YAML numbers and booleans are refused, never read as an address (0.0.0.1/32)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.spec import CONFIG_KEY, SpecError
from inferstack.validation import parse_environment_checked
from tests.conftest import shipped_stacks

SEED: dict[str, Any] = yaml.safe_load(shipped_stacks()["aws-dev"].read_text(encoding="utf-8"))["config"][CONFIG_KEY]


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_environment_checked(document, "t")
    return [str(issue) for issue in caught.value.issues]


@pytest.mark.parametrize("value", [True, False, 5, 167772160])
@pytest.mark.parametrize(
    "path",
    [("network", "cidr"), ("network", "services_cidr"), ("network", "api_access", 0)],
)
def test_a_number_or_boolean_where_a_cidr_belongs_is_refused_at_its_path(value: object, path: tuple[Any, ...]) -> None:
    document = copy.deepcopy(SEED)
    network = document.setdefault("network", {})
    if path[-1] == 0:
        network["api_access"] = [value]
    else:
        network[path[-1]] = value
    where = "environment." + ".".join(str(part) for part in path if part != 0) + ("[0]" if path[-1] == 0 else "")
    found = [p for p in problems(document) if p.startswith(where)]
    assert found and "written as text" in found[0], problems(document)


def test_a_load_balancer_source_range_given_as_a_number_is_refused() -> None:
    document = copy.deepcopy(SEED)
    model = next(iter(document["models"].values()))
    model["load_balancer"] = {"internal": True, "source_ranges": [1]}
    assert any("source_ranges[0]" in p and "written as text" in p for p in problems(document))


def test_a_cidr_written_as_text_still_validates() -> None:
    document = copy.deepcopy(SEED)
    document.setdefault("network", {})["api_access"] = ["203.0.113.0/24"]
    checked = parse_environment_checked(document, "t")
    assert [str(n) for n in checked.spec.network.api_access] == ["203.0.113.0/24"]
