"""Renamed components keep their deployed resources: the former type token becomes a Pulumi alias.

A component's type token is part of its URN and of every child's URN (the parent type chain), so renaming a
class would otherwise delete and recreate everything below it. The engine derives the children's aliases from
the parent's; only the component itself needs one.
"""

from __future__ import annotations

import pulumi


def formerly(opts: pulumi.ResourceOptions | None, *former_types: str) -> pulumi.ResourceOptions:
    """`opts` plus an alias to each former type token of the component (same name, same parent)."""
    aliases = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=token) for token in former_types])
    return pulumi.ResourceOptions.merge(opts, aliases)
