"""The field-valid rest of an invalid document: what the cross-field rules can still be run on.

A type error in one model must not hide a cross-field problem elsewhere. So each invalid value is pruned: the
offending optional field (its default takes its place), or the whole dict/list item holding an invalid
required field, and the rest is validated again. The cross-field issues of that rest are reported, except those
that concern what was pruned: a fix of the type error could make them untrue.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from inferstack.spec.base import KEY_PATTERN
from inferstack.spec.errors import ROOT, SpecIssue, join_path
from inferstack.spec.issues import document_loc, is_container, model_in
from inferstack.spec.models import EnvironmentSpec

Loc = tuple[int | str, ...]
# Top-level values every rule reads: with one of them pruned to its default, no cross-field issue is trustworthy.
READ_BY_EVERY_RULE = frozenset({"name", "cloud", "region", "zones", "production", "security_profile"})
# Pruning one value can invalidate its holder (an emptied list is too short): a few rounds settle it.
MAX_ROUNDS = 5


@dataclass(frozen=True)
class Pruned:
    """A field-valid spec made from an invalid document, and the locations removed to get it."""

    spec: EnvironmentSpec
    removed: tuple[Loc, ...]


def prune_document(document: object, default_name: str) -> Pruned | None:
    """The field-valid rest of a stack's document (its name defaulted as for validation), or None."""
    if not isinstance(document, dict):
        return None
    document = {**document}
    if "name" not in document:
        if not re.match(KEY_PATTERN, default_name):
            return None
        document["name"] = default_name
    return prune_invalid(document)


def prune_invalid(document: dict[str, Any]) -> Pruned | None:
    """The document with every invalid value pruned, validated; None when an invalid value cannot be pruned."""
    current = copy.deepcopy(document)
    removed: list[Loc] = []
    for _ in range(MAX_ROUNDS):
        try:
            return Pruned(EnvironmentSpec.model_validate(current), tuple(removed))
        except ValidationError as exc:
            targets = [_removable(current, tuple(document_loc(error))) for error in exc.errors()]
        if any(target is None for target in targets):
            return None  # a required top-level value (cloud, name) or the document itself is wrong
        found = _outermost({target for target in targets if target is not None})
        for target in sorted(found, key=_sort_key, reverse=True):  # list items from the highest index down
            _delete(current, target)
        removed += found
    return None


def _removable(document: object, loc: Loc) -> Loc | None:
    """The deepest prefix of `loc` whose removal keeps the document's shape: an optional field or an item."""
    model: type[BaseModel] | None = EnvironmentSpec
    best: Loc | None = None
    index = 0
    while index < len(loc) and model is not None:
        part = loc[index]
        if not isinstance(part, str) or part not in model.model_fields:
            return loc[: index + 1]  # an unknown key: remove it
        if not index and part in READ_BY_EVERY_RULE:
            return None
        info = model.model_fields[part]
        annotation = info.annotation
        if not info.is_required():
            best = loc[: index + 1]
        if is_container(annotation) and index + 1 < len(loc):
            index += 1
            best = loc[: index + 1]  # one item of a dict or list
        model = model_in(annotation)
        index += 1
    return best if best is not None and _exists(document, best) else None


def _exists(document: object, loc: Loc) -> bool:
    node: Any = document
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            continue
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _delete(document: dict[str, Any], loc: Loc) -> None:
    node: Any = document
    for part in loc[:-1]:
        node = node[part]
    del node[loc[-1]]


def _outermost(targets: set[Loc]) -> list[Loc]:
    """The targets not inside another target (removing the holder removes them too)."""
    return [t for t in targets if not any(o != t and t[: len(o)] == o for o in targets)]


def _sort_key(loc: Loc) -> list[tuple[bool, int | str]]:
    return [(isinstance(part, int), part) for part in loc]


def scope_of(loc: Loc) -> Loc:
    """What a pruned value belongs to: its dict or list item (a model, a pool) or else its top-level section."""
    model: type[BaseModel] | None = EnvironmentSpec
    scope: Loc = loc[:1]
    index = 0
    while index < len(loc) and model is not None:
        part = loc[index]
        if not isinstance(part, str) or part not in model.model_fields:
            break
        annotation = model.model_fields[part].annotation
        if is_container(annotation) and index + 1 < len(loc):
            index += 1
            scope = loc[: index + 1]
        model = model_in(annotation)
        index += 1
    return scope


def concerns(issue: SpecIssue, removed: Sequence[Loc]) -> bool:
    """Whether a cross-field issue is about something pruned (at, inside or above its scope, or naming it)."""
    for loc in removed:
        scope = scope_of(loc)
        path = join_path(ROOT, *scope)
        if _under(issue.path, path) or (issue.path != ROOT and _under(path, issue.path)):
            return True
        key = scope[-1] if len(scope) > 1 else None
        if isinstance(key, str) and _names(key, (issue.message, issue.fix)):
            return True  # "no node pool named 'l4'" when pool l4 was pruned
    return False


def _under(path: str, holder: str) -> bool:
    return path == holder or path.startswith((f"{holder}.", f"{holder}["))


def _names(key: str, texts: Iterable[str]) -> bool:
    pattern = re.compile(rf"(?<![\w.-]){re.escape(key)}(?![\w-])")
    return any(pattern.search(text) for text in texts)
