"""What the cross-field checks share: YAML paths, suggestions, private ranges."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from ipaddress import IPv4Network

from inferstack.spec.errors import ROOT, SpecIssue, join_path
from inferstack.spec.models import EnvironmentSpec

# RFC 1918: the only ranges a VPC or Service CIDR may use.
PRIVATE_RANGES = tuple(IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# Broader than a /8 is "the internet" in all but name.
BROADEST_CLIENT_PREFIX = 8

# A check reads a field-valid spec whose `auto` values are resolved, and yields every issue it finds.
Check = Callable[[EnvironmentSpec], Iterable[SpecIssue]]


def field_path(*parts: str | int) -> str:
    """The YAML path of a spec field, below the `environment` root."""
    return join_path(ROOT, *parts)


def suggest(value: str, choices: Iterable[str]) -> str:
    """A fix for an unknown name: the close matches, else the choices (or where to look them up)."""
    options = sorted(choices)
    close = difflib.get_close_matches(value, options, n=3)
    if close:
        return f"did you mean {', '.join(close)}?"
    return f"choose one of: {', '.join(options)}"


def is_private(network: IPv4Network) -> bool:
    """Whether a range lies inside RFC 1918 space."""
    return any(network.subnet_of(block) for block in PRIVATE_RANGES)
