"""Shared names are valid Kubernetes names for every valid model key."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from inferstack.planning.names import model_prefix, serving_namespace, serving_service_account
from inferstack.spec import KEY_PATTERN

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@given(st.from_regex(KEY_PATTERN, fullmatch=True))
def test_names_are_dns_labels(key: str) -> None:
    assert DNS_LABEL.match(serving_namespace(key))
    assert DNS_LABEL.match(serving_service_account(key))
    assert model_prefix(key).endswith(key)
