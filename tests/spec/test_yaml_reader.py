"""Stack files are read strictly: each YAML surprise is one message with its line, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from inferstack.spec import SpecError
from inferstack.spec.document import read_stack_config
from inferstack.spec.yaml_reader import MAX_DEPTH, MAX_VALUES, YamlProblems, decode, load_yaml

AWS_DEV = Path(__file__).parents[2] / "stacks" / "Pulumi.aws-dev.yaml"


def problems(text: str) -> list[str]:
    """Each problem of a YAML text as `<where>: <message> — <fix>`."""
    with pytest.raises(YamlProblems) as caught:
        load_yaml(text)
    return [f"{p.where()}: {p.message} — {p.fix}" for p in caught.value.problems]


def test_a_second_model_store_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    # The class the fuzz found: the second key silently replaced the first, and `protect: true` was gone.
    text = AWS_DEV.read_text().replace(
        "    model_store: {bucket: true}\n", "    model_store: {bucket: true, protect: true}\n    model_store: {}\n"
    )
    stack = tmp_path / "Pulumi.dup.yaml"
    stack.write_text(text)
    with pytest.raises(SpecError) as caught:
        read_stack_config(stack)
    (issue,) = caught.value.issues
    first = text.splitlines().index("    model_store: {bucket: true, protect: true}") + 1
    assert str(issue) == (
        f"{stack}: line {first + 1}, column 5: duplicate key 'model_store' (first at line {first}): "
        "YAML would silently keep only the last — merge the two model_store: entries into one"
    )


def test_every_duplicate_is_listed() -> None:
    assert problems("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n") == [
        "line 4, column 3: duplicate key 'c' (first at line 3): YAML would silently keep only the last — "
        "merge the two c: entries into one",
        "line 5, column 1: duplicate key 'a' (first at line 1): YAML would silently keep only the last — "
        "merge the two a: entries into one",
    ]


def test_a_merge_key_may_be_overridden() -> None:
    # `<<:` is YAML's own way to take defaults; a key beside it replacing one is what it is for.
    assert load_yaml("x:\n  <<: {a: 1, b: 2}\n  a: 3\n") == {"x": {"a": 3, "b": 2}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!set {x}", "line 1, column 4: !!set (a set) is not plain data — write it without !!set"),
        ("a: !!binary aGk=", "line 1, column 4: !!binary (bytes) is not plain data — write it without !!binary"),
        ("a: !!omap [b: 1]", "line 1, column 4: !!omap (an ordered map) is not plain data — write it without !!omap"),
        (
            "a: !!timestamp 2024-01-01",
            "line 1, column 4: !!timestamp (a timestamp) is not plain data — write it without !!timestamp",
        ),
        (
            "a: !!python/object:os.system x",
            "line 1, column 4: not plain data: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object:os.system' — fix the YAML at that line",
        ),
        (
            "? [a]\n: 1",
            "line 1, column 3: not plain data: found unhashable key (while constructing a mapping started at line 1)"
            " — fix the YAML at that line",
        ),
        ("a: " + "9" * 5000, "line 1, column 4: an integer too long to read — write a realistic number"),
        ("a: \x00", "line 1, column 4: character #x0000 is not allowed in YAML — remove it"),
        ("a: &x [*x]", "line 1, column 8: alias *x refers to a value that contains it — remove it"),
        (
            "a: " + "[" * 100 + "]" * 100,
            f"line 1, column {MAX_DEPTH + 4}: nesting deeper than {MAX_DEPTH} levels — flatten the document",
        ),
        ('a: "\\ud800"', ": the string '\\ud800' holds a \\u escape that is not a character — remove it"),
    ],
)
def test_non_json_values_are_refused_at_their_line(text: str, message: str) -> None:
    assert problems(text) == [message]


def test_an_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert problems("\n".join(lines)) == [
        f": expands to more than {MAX_VALUES:,} values (YAML aliases?) — remove aliases"
    ]


def test_aliases_count_every_time_they_are_reached_up_to_the_limit() -> None:
    # A shared list counts once per alias (a reader walks it each time): 1 + 3 keys + 1,000 + 98 x 1,000 + 1 + n.
    def document(extra: int) -> str:
        return "\n".join(
            [f"a: &a [{', '.join(['x'] * 999)}]", f"b: [{', '.join(['*a'] * 98)}]", f"c: [{', '.join(['y'] * extra)}]"]
        )

    assert MAX_VALUES == 99_006 + 994, "the document below is sized for this limit"
    assert isinstance(load_yaml(document(994)), dict), "exactly at the limit"
    assert problems(document(995)) == [f": expands to more than {MAX_VALUES:,} values (YAML aliases?) — remove aliases"]


def test_an_unquoted_date_stays_text() -> None:
    # JSON has no date type: the value is the string as written, which a string field accepts.
    assert load_yaml("a: 2024-01-01") == {"a": "2024-01-01"}


def test_an_unclosed_bracket_names_where_it_opened() -> None:
    assert problems("a:\n  b: [1, 2\n") == [
        "line 3, column 1: not valid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow "
        "sequence started at line 2) — fix the YAML at that line"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (codecs.BOM_UTF16_LE + "a: 1".encode("utf-16-le"), "is UTF-16 encoded"),
        (codecs.BOM_UTF32_BE + "a: 1".encode("utf-32-be"), "is UTF-32 encoded"),
        ("a: 1\nb: café".encode("latin-1"), "line 2, column 7: byte 0xe9 is not UTF-8"),
    ],
)
def test_only_utf8_is_read(data: bytes, message: str) -> None:
    with pytest.raises(YamlProblems) as caught:
        decode(data)
    (problem,) = caught.value.problems
    assert (f"{problem.where()}: " if problem.line else "") + problem.message == message
    assert problem.fix == "save the file as UTF-8"


def test_a_utf8_byte_order_mark_is_fine() -> None:
    assert load_yaml(decode(codecs.BOM_UTF8 + b"a: 1")) == {"a": 1}
