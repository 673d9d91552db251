"""Stack-file YAML read strictly: JSON's data model only, every surprise refused with its line.

PyYAML's safe loader keeps the last of two equal keys (a second `model_store:` silently drops `protect:`), builds
Python sets, bytes and dates, recurses without bound on deep nesting and raises ValueError on a 5,000-digit
integer. Pulumi's config is JSON-shaped, so anything JSON cannot say is refused here, each with a line number.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

# Far deeper than any stack file (the shipped ones nest 6 levels), far shallower than Python's recursion limit.
MAX_DEPTH = 64
# Values after expanding YAML aliases: a few hundred in a real stack; an alias bomb expands to billions.
MAX_VALUES = 100_000
# Tags whose values JSON has no type for.
NON_JSON_TAGS = {"set": "a set", "omap": "an ordered map", "pairs": "a list of pairs", "binary": "bytes"}
NON_JSON_TAGS["timestamp"] = "a timestamp"
UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True)
class YamlProblem:
    """One problem of a YAML text, at a 1-based line (0: the file as a whole) and column."""

    line: int
    column: int
    message: str
    fix: str

    def where(self) -> str:
        """`line 3, column 5` (or an empty string for the whole file)."""
        return f"line {self.line}, column {self.column}" if self.line else ""


class YamlProblems(ValueError):
    """Raised with every problem found; the text could not be read as plain data."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.where()}: {p.message}" for p in problems))


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that records duplicate keys, refuses non-JSON tags, deep nesting and recursive aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.open_anchors: set[str] = set()
        self.duplicates: list[YamlProblem] = []

    def compose_node(self, parent: Node | None, index: object) -> Node | None:  # type: ignore[override]
        """Compose one node, refusing nesting deeper than MAX_DEPTH and an alias to an anchor that holds it."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.open_anchors:
            raise _problem(event.start_mark, f"alias *{event.anchor} refers to a value that contains it", "remove it")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _problem(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels", "flatten the document")
        anchor = getattr(event, "anchor", None) if not isinstance(event, yaml.AliasEvent) else None
        if anchor:
            self.open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1
            self.open_anchors.discard(anchor or "")

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        """Refuse a `[` or `{` past MAX_DEPTH as it is scanned: PyYAML's scanner slows quadratically with depth."""
        if self.flow_level >= MAX_DEPTH:
            raise _problem(self.get_mark(), f"nesting deeper than {MAX_DEPTH} levels", "flatten the document")
        super().fetch_flow_collection_start(TokenClass)  # type: ignore[misc]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        """Construct a mapping, recording each key written twice with both lines (merge keys `<<` aside)."""
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                self.duplicates.append(
                    YamlProblem(
                        line,
                        key_node.start_mark.column + 1,
                        f"duplicate key {key!r} (first at line {seen[key]}): YAML would silently keep only the last",
                        f"merge the two {key}: entries into one",
                    )
                )
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:  # type: ignore[override]
        """An integer; one too long for Python to convert is a problem at its line, not a ValueError."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _problem(node.start_mark, "an integer too long to read", "write a realistic number") from None


def _refuse(tag: str, kind: str) -> None:
    def constructor(loader: yaml.SafeLoader, node: Node) -> Any:
        raise _problem(node.start_mark, f"!!{tag} ({kind}) is not plain data", f"write it without !!{tag}")

    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{tag}", constructor)


for _tag, _kind in NON_JSON_TAGS.items():
    _refuse(_tag, _kind)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
# An unquoted date stays the string it is written as (JSON has no date type; Pulumi reads it as text).
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _problem(mark: yaml.Mark | None, message: str, fix: str) -> YamlProblems:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return YamlProblems([YamlProblem(line, column, message, fix)])


def decode(data: bytes) -> str:
    """Bytes as UTF-8 text (a UTF-8 byte-order mark allowed); UTF-16/32 or an invalid byte is a YamlProblems."""
    for bom, name in UTF16_32_BOMS:
        if data.startswith(bom):
            raise YamlProblems([YamlProblem(0, 0, f"is {name} encoded", "save the file as UTF-8")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        raise YamlProblems(
            [YamlProblem(line, column, f"byte 0x{byte} is not UTF-8", "save the file as UTF-8")]
        ) from None


def load_yaml(text: str) -> object:
    """The plain data (dicts, lists, str, int, float, bool, None) of one YAML document, or YamlProblems."""
    loader = None
    try:
        # The reader checks every character as the loader is built, so building it is inside the try.
        loader = _StrictLoader(text)
        data = loader.get_single_data()
        duplicates = loader.duplicates
    except YamlProblems:
        raise
    except yaml.MarkedYAMLError as error:
        kind = "not plain data" if isinstance(error, ConstructorError | ComposerError) else "not valid YAML"
        problem = (error.problem or "invalid YAML").replace("\n", " ")
        if error.context and error.context_mark is not None:
            # Where the unfinished construct began: for an unclosed `[`, the line the author must look at.
            problem += f" ({error.context} started at line {error.context_mark.line + 1})"
        raise _problem(error.problem_mark, f"{kind}: {problem}", "fix the YAML at that line") from None
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        line, column = before.count("\n") + 1, error.position - (before.rfind("\n") + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(str(error.character))
        problem = YamlProblem(line, column, f"character #x{code:04x} is not allowed in YAML", "remove it")
        raise YamlProblems([problem]) from None
    except yaml.YAMLError as error:
        raise YamlProblems([YamlProblem(0, 0, f"is not valid YAML: {error}", "fix the YAML")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if duplicates:
        raise YamlProblems(sorted(duplicates, key=lambda problem: problem.line))
    _check_size(data)
    return data


def _check_size(data: object) -> None:
    if _values(data, {}) > MAX_VALUES:
        raise YamlProblems(
            [YamlProblem(0, 0, f"expands to more than {MAX_VALUES:,} values (YAML aliases?)", "remove aliases")]
        )


def _values(value: object, counted: dict[int, int]) -> int:
    """The values a reader meets walking `value`, aliases expanded: a shared value counts each time it is reached.

    A container met again (an alias) adds the count it had the first time instead of being walked again, so an alias
    bomb costs its distinct values, not its expansion. The composer has already refused an alias inside its own anchor
    and nesting past MAX_DEPTH, so the walk ends and its recursion is bounded.
    """
    if isinstance(value, str):
        _check_text(value)
        return 1
    if not isinstance(value, dict | list):
        return 1
    key = id(value)
    if key not in counted:
        total = 1
        for child in [*value.keys(), *value.values()] if isinstance(value, dict) else value:
            total += _values(child, counted)
            if total > MAX_VALUES:
                break
        counted[key] = total
    return counted[key]


def _check_text(value: str) -> None:
    # A "\\ud800" escape yields half a UTF-16 pair: no file, log or JSON written as UTF-8 could hold it.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        problem = YamlProblem(0, 0, f"the string {value!r} holds a \\u escape that is not a character", "remove it")
        raise YamlProblems([problem]) from None
