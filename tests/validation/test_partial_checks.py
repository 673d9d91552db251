"""A field type error hides no cross-field problem: the rules run on the pruned rest of the document."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from inferstack.spec import SpecError, SpecIssue
from inferstack.spec.prune import concerns, prune_document
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks

Doc = dict[str, Any]


def aws_dev() -> Doc:
    text = shipped_stacks()["aws-dev"].read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text)["config"]["inferstack:environment"])


def problems(document: Doc) -> set[str]:
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "dev")
    return {issue.path for issue in caught.value.issues}


def second_model_on_a_missing_pool(doc: Doc) -> None:
    doc["models"]["code"] = {**doc["models"]["chat"], "pool": "l40s"}
    doc["gateway"] = {"enabled": False}  # two models would turn the gateway on (its own checks are tested apart)


def chat_context_is_text(doc: Doc) -> None:
    doc["models"]["chat"]["max_model_len"] = "lots"


def test_a_type_error_in_one_model_and_a_cross_field_error_elsewhere_are_both_reported() -> None:
    before = aws_dev()
    second_model_on_a_missing_pool(before)
    assert problems(before) == {"environment.models.code.pool"}
    after = copy.deepcopy(before)
    chat_context_is_text(after)
    assert problems(after) == {"environment.models.chat.max_model_len", "environment.models.code.pool"}


MUTATIONS: dict[str, tuple[Callable[[Doc], object], set[str]]] = {
    # The pruned model's own cross-field problem (its pool) is not reported: the fix may be to both fields.
    "same model": (
        lambda doc: doc["models"]["chat"].update(pool="l40s", max_model_len="lots"),
        {"environment.models.chat.max_model_len"},
    ),
    # A pool whose GPU has the wrong type is pruned: "no node pool named 'l4'" would be untrue after the fix.
    "pool a model names": (
        lambda doc: doc["node_pools"]["l4"].update(gpu=5),
        {"environment.node_pools.l4.gpu"},
    ),
    # A pool's max with the wrong type falls back to its default, but nothing is said about that pool from it.
    "optional field of a pool": (
        lambda doc: doc["node_pools"]["l4"].update(max="two", min=3),
        {"environment.node_pools.l4.max"},
    ),
    # The region is read by every rule: no cross-field issue is trustworthy without it.
    "region": (
        lambda doc: (doc.update(region=5), doc["models"]["chat"].update(pool="nope")),
        {"environment.region"},
    ),
    # An unknown key is dropped and the rest is checked.
    "unknown key beside a cross-field error": (
        lambda doc: (doc["network"].update(nta="single"), doc["models"]["chat"]["replicas"].update(min=3)),
        {"environment.network.nta", "environment.models.chat.replicas.max"},
    ),
    # A list item with the wrong type is removed from its list; the section's own rules are not reported.
    "list item": (
        lambda doc: (
            doc["network"].update(api_access=["203.0.113.0/24", "office"]),
            doc["models"]["chat"]["replicas"].update(min=3),
        ),
        {"environment.network.api_access[1]", "environment.models.chat.replicas.max"},
    ),
}


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_pruned_values_report_only_what_a_fix_would_not_change(case: str) -> None:
    document = aws_dev()
    mutate, expected = MUTATIONS[case]
    mutate(document)
    assert problems(document) == expected


def test_pruning_removes_list_items_from_the_highest_index_and_keeps_the_rest() -> None:
    document = aws_dev()
    document["network"]["api_access"] = ["x", "203.0.113.0/24", "y"]
    pruned = prune_document(document, "dev")
    assert pruned is not None
    assert [str(net) for net in pruned.spec.network.api_access] == ["203.0.113.0/24"]
    assert sorted(pruned.removed) == [("network", "api_access", 0), ("network", "api_access", 2)]
    assert document["network"]["api_access"] == ["x", "203.0.113.0/24", "y"], "the caller's document is unchanged"


def test_a_missing_required_field_prunes_its_item_and_a_bad_cloud_prunes_nothing() -> None:
    document = aws_dev()
    del document["models"]["chat"]["source"]
    pruned = prune_document(document, "dev")
    assert pruned is not None and pruned.removed == (("models", "chat"),) and not pruned.spec.models
    document["cloud"] = "azure"
    assert prune_document(document, "dev") is None


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        (SpecIssue("environment.models.chat.pool", "no node pool named 'x'"), True),
        (SpecIssue("environment.models", "too many models"), True),
        (SpecIssue("environment.models.code.pool", "no node pool named 'l40s'"), False),
        (SpecIssue("environment.node_pools.l4.gpu", "gpu: auto needs the shape of model chat"), True),
        (SpecIssue("environment.node_pools.l4.gpu", "gpu: auto needs the shape of model chatter"), False),
        (SpecIssue("environment", "the budget is exceeded"), False),
    ],
)
def test_an_issue_concerns_a_pruned_model_at_inside_above_or_by_name(issue: SpecIssue, expected: bool) -> None:
    assert concerns(issue, [("models", "chat", "max_model_len")]) is expected
