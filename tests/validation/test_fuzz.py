"""Whatever a stack document holds, validation returns a spec or a SpecError: never another exception."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inferstack.spec import CONFIG_KEY, EnvironmentSpec, SpecError
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks

SEEDS = [yaml.safe_load(path.read_text())["config"][CONFIG_KEY] for path in shipped_stacks().values()]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["aws", "gcp", "kubernetes", "10.0.0.0/8", "0.0.0.0/0", "nvidia-l4", "us-east-1", "latest"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_stacks(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(documents)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(documents)
    return document


def assert_spec_or_spec_error(document: Any) -> None:
    try:
        result = parse_environment(document, "fuzz")
    except SpecError as error:
        assert error.issues, "a SpecError must carry at least one issue"
        assert all(issue.path.startswith("environment") for issue in error.issues)
    else:
        assert isinstance(result, EnvironmentSpec)


# A warning from the standard library means a mutated value reached code that should never have seen it (YAML's
# `true` read as the address 0.0.0.1 once raised ipaddress's DeprecationWarning here): it fails the test.
@pytest.mark.filterwarnings("error")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_stacks())
def test_mutated_stack_documents(document: Any) -> None:
    assert_spec_or_spec_error(document)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_random_documents(document: Any) -> None:
    assert_spec_or_spec_error(document)


def test_seeds_are_the_shipped_stacks() -> None:
    assert len(SEEDS) >= 5
    for seed in SEEDS:
        assert isinstance(parse_environment(seed, "seed"), EnvironmentSpec)
