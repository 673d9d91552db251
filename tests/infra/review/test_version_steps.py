"""A cluster version move the cloud refuses is marked `fails:` in the diff, before anything runs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from inferstack.infra.review.diff import Change, diff_plans
from tests.infra.review.test_diff_propagation import plan_of, stack_document

CLUSTERS = {"aws-dev": "aws:eks/cluster:Cluster", "gcp-dev": "gcp:container/cluster:Cluster"}


def at_version(stack: str, version: str) -> dict[str, Any]:
    document = copy.deepcopy(stack_document(stack))
    document.setdefault("cluster", {})["kubernetes_version"] = version
    return document


def cluster_change(stack: str, before: str, after: str) -> Change:
    changes = diff_plans(plan_of(stack, at_version(stack, before)), plan_of(stack, at_version(stack, after)))
    (change,) = (c for c in changes if c.identity.type == CLUSTERS[stack])
    return change


@pytest.mark.parametrize("stack", sorted(CLUSTERS))
def test_skipping_a_minor_fails_and_names_the_stop_in_between(stack: str) -> None:
    change = cluster_change(stack, "1.33", "1.35")
    assert change.kind == "update" and change.fails, change
    assert any("deploy 1.34 first" in reason for reason in change.because), change.because


@pytest.mark.parametrize("stack", sorted(CLUSTERS))
def test_one_minor_at_a_time_is_a_plain_update(stack: str) -> None:
    change = cluster_change(stack, "1.34", "1.35")
    assert change.kind == "update" and not change.fails, change


def test_an_eks_downgrade_fails_and_a_lower_gke_floor_does_not() -> None:
    assert cluster_change("aws-dev", "1.35", "1.34").fails
    assert not cluster_change("gcp-dev", "1.35", "1.34").fails
