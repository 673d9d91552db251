"""The cloud limits file: every fact has a source and date, and the figures are the ones the sources give."""

from __future__ import annotations

import re

from inferstack.catalog.limits import limits


def test_the_limits_load_and_carry_sources() -> None:
    data = limits()
    facts = [
        data.aws.tags,
        data.aws.log_retention_days,
        data.aws.root_volume_gib,
        data.gcp.labels,
        data.gcp.log_retention_days,
        data.gcp.root_volume_gib,
        data.hub_token_file,
    ]
    assert all(len(fact.source) >= 8 and fact.as_of.year >= 2025 for fact in facts)


def test_the_figures_match_their_sources() -> None:
    data = limits()
    assert (data.aws.tags.max_per_resource, data.aws.tags.key_max_chars, data.aws.tags.value_max_chars) == (
        50,
        128,
        256,
    )
    assert data.aws.tags.reserved_prefix == "aws:"
    retention = data.aws.log_retention_days.allowed
    assert retention == tuple(sorted(set(retention))) and (retention[0], retention[-1]) == (1, 3653)
    assert (data.aws.root_volume_gib.min, data.aws.root_volume_gib.max) == (1, 16384)
    assert (data.gcp.log_retention_days.min, data.gcp.log_retention_days.max) == (1, 3650)
    assert (data.gcp.root_volume_gib.min, data.gcp.root_volume_gib.max) == (10, 65536)
    assert data.gcp.labels.max_per_resource == 64
    assert data.hub_token_file.env == "HF_TOKEN_PATH"


def test_the_gcp_label_syntax_takes_and_refuses_what_gcp_does() -> None:
    key, value = re.compile(limits().gcp.labels.key_pattern), re.compile(limits().gcp.labels.value_pattern)
    assert key.fullmatch("team") and key.fullmatch("a" * 63) and value.fullmatch("") and value.fullmatch("ml-1_x")
    assert not key.fullmatch("Team") and not key.fullmatch("1team") and not key.fullmatch("a" * 64)
    assert not value.fullmatch("ML") and not value.fullmatch("v" * 64)
