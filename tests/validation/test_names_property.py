"""A valid spec never reaches the engine's duplicate-URN error: generated admins, keys and labels either fail
validation or plan (hypothesis over the shipped aws-dev and gcp-dev stacks)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inferstack.infra.offline.stacks import plan_spec
from inferstack.spec import SpecError
from inferstack.validation import parse_environment
from tests.validation.test_stack_rules import document

# Small alphabets, so that clashes (case, punctuation, path, account, member kind) come up often.
NAMES = st.sampled_from(["Admins", "admins", "ad.mins", "ad-mins", "ad_mins", "ops"])
ARNS = st.builds(
    "arn:aws:iam::{}:{}/{}{}".format,
    st.sampled_from(["123456789012", "210987654321"]),
    st.sampled_from(["role", "user"]),
    st.sampled_from(["", "team-a/", "team-b/"]),
    NAMES,
)
MEMBERS = st.builds(
    "{}:{}@example.com".format, st.sampled_from(["user", "serviceAccount"]), st.sampled_from(["ml", "Ml", "m.l", "m-l"])
)
LABEL_KEYS = st.sampled_from(["team", "Team", "te.am", "te-am", "te_am", "inferstack.dev/pool", "tier"])
KEYS = st.sampled_from(["chat", "chat-2", "system", "staging", "l4", "a"])


def _mutated(stack: str, admins: list[str], labels: dict[str, str], pool_key: str, model_keys: list[str]) -> Any:
    doc = document(stack)
    doc["cluster"] = {**doc.get("cluster", {}), "admins": admins}
    pool = next(iter(doc["node_pools"].values()))
    doc["node_pools"] = {pool_key: {**pool, "labels": labels}}
    model = next(iter(doc["models"].values()))
    doc["models"] = {key: {**model, "pool": pool_key} for key in model_keys}
    return doc


def _valid_plans(doc: Any, stack: str) -> None:
    try:
        spec = parse_environment(doc, stack)
    except SpecError:
        return
    # OfflineEngineError (a duplicate URN among them) would fail the test; a valid spec must plan.
    plan_spec(stack, spec)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    admins=st.lists(ARNS, max_size=3),
    labels=st.dictionaries(LABEL_KEYS, st.just("x"), max_size=3),
    pool_key=KEYS,
    model_keys=st.lists(KEYS, min_size=1, max_size=2, unique=True),
)
def test_a_valid_aws_spec_plans_without_a_duplicate_urn(
    admins: list[str], labels: dict[str, str], pool_key: str, model_keys: list[str]
) -> None:
    _valid_plans(_mutated("aws-dev", admins, labels, pool_key, model_keys), "aws-dev")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    admins=st.lists(MEMBERS, max_size=3),
    labels=st.dictionaries(LABEL_KEYS, st.just("x"), max_size=3),
    pool_key=KEYS,
    model_keys=st.lists(KEYS, min_size=1, max_size=2, unique=True),
)
def test_a_valid_gcp_spec_plans_without_a_duplicate_urn(
    admins: list[str], labels: dict[str, str], pool_key: str, model_keys: list[str]
) -> None:
    _valid_plans(_mutated("gcp-dev", admins, labels, pool_key, model_keys), "gcp-dev")


def test_the_generators_reach_clashes_that_validation_refuses() -> None:
    # Without this, a generator that never produced a clash would make the properties above pass vacuously.
    doc = _mutated(
        "aws-dev",
        ["arn:aws:iam::123456789012:role/team-a/admins", "arn:aws:iam::210987654321:role/Admins"],
        {},
        "l4",
        ["chat"],
    )
    try:
        parse_environment(doc, "aws-dev")
    except SpecError as error:
        assert "both name the EKS access entry 'role-admins'" in str(error)
    else:  # pragma: no cover - the failure message
        raise AssertionError("a clash of derived names validated")
