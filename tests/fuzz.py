"""A seeded mutation fuzzer of stack files: shipped stacks, broken the ways people (and editors) break them.

Each mutation works on the file's bytes, so the YAML reader, the encoding and the spec are all in play, and
says what a correct reader must answer: `expect` is a phrase the error must contain (None: any answer that
is a spec or a SpecError). The classes are the ones a 3,000-document fuzz found in issue 13; each one failed
before its fix (a traceback, a silently dropped key, a hidden problem), which is what makes the fuzzer worth
keeping.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

# A line `  key: value` of the environment block (not a list item, not a comment).
KEY_LINE = re.compile(r"^(?P<indent> {4,})(?P<key>[A-Za-z_][\w.-]*):(?P<rest>.*)$")

HOSTILE_SCALARS = [
    "[1, 2]",
    "{a: 1}",
    "yes",
    "~",
    '""',
    "-1",
    "0",
    "0.5",
    "1e308",
    "-1e308",
    "4.9e-324",
    ".inf",
    "-.inf",
    ".nan",
    "0x7fffffffffffffff",
    "18446744073709551616",
    "9" * 400,
    "0o777",
    "1_000",
    '"\\u00e9\\u4e2d\\U0001F600"',
    '"user:[/]@example.com"',
    '"[bold red]x[/]"',
    '"a\\tb\\nc"',
    "'it''s'",
    "2024-01-01",
    "12:30:00",
    "&anchor value",
    '"' + "x" * 5000 + '"',
]
BOUNDARY_NUMBERS = ["0", "-0", "1", "-1", "2147483648", "9223372036854775808", "1e400", "0.0001", "3.0"]
TAGS = {
    "!!set {a: null}": "!!set (a set) is not plain data",
    "!!binary aGk=": "!!binary (bytes) is not plain data",
    "!!omap [a: 1]": "!!omap (an ordered map) is not plain data",
    "!!timestamp 2024-01-01": "!!timestamp (a timestamp) is not plain data",
    "!!python/object/apply:os.system [echo]": "could not determine a constructor",
    "!custom x": "could not determine a constructor",
}


@dataclass(frozen=True)
class Mutant:
    """A mutated stack file: its bytes, the mutation class, and the phrase its error must contain (if any)."""

    data: bytes
    kind: str
    expect: str | None = None


Mutation = Callable[[random.Random, str], Mutant]


def _key_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines()) if KEY_LINE.match(line)]


def _replace_value(rng: random.Random, text: str, value: str) -> str:
    lines = text.splitlines()
    index = rng.choice(_key_lines(text))
    match = KEY_LINE.match(lines[index])
    assert match is not None
    lines[index] = f"{match['indent']}{match['key']}: {value}"
    # A block value's children now belong to nothing: drop them with it.
    depth = len(match["indent"])
    while index + 1 < len(lines) and (len(lines[index + 1]) - len(lines[index + 1].lstrip())) > depth:
        del lines[index + 1]
    return "\n".join(lines) + "\n"


def duplicate_key(rng: random.Random, text: str) -> Mutant:
    """A key line written twice in its mapping (the second `model_store:` that dropped `protect:`)."""
    lines = text.splitlines()
    index = rng.choice(_key_lines(text))
    lines.insert(index + 1, lines[index])
    return Mutant(("\n".join(lines) + "\n").encode(), "duplicate", "duplicate key")


def delete_line(rng: random.Random, text: str) -> Mutant:
    """One line gone."""
    lines = text.splitlines()
    del lines[rng.randrange(len(lines))]
    return Mutant(("\n".join(lines) + "\n").encode(), "delete")


def wrong_type(rng: random.Random, text: str) -> Mutant:
    """A value replaced by a hostile scalar or collection."""
    return Mutant(_replace_value(rng, text, rng.choice(HOSTILE_SCALARS)).encode(), "type")


def boundary_number(rng: random.Random, text: str) -> Mutant:
    """A number replaced by a boundary value (zero, negative, 2**63, overflow to infinity)."""
    return Mutant(_replace_value(rng, text, rng.choice(BOUNDARY_NUMBERS)).encode(), "boundary")


def huge_integer(rng: random.Random, text: str) -> Mutant:
    """An integer too long for Python to convert (a ValueError inside PyYAML)."""
    digits = "9" * rng.choice([4301, 5000, 20000])
    return Mutant(_replace_value(rng, text, digits).encode(), "huge", "an integer too long to read")


def non_json_tag(rng: random.Random, text: str) -> Mutant:
    """A value with a tag JSON has no type for, or one no safe loader constructs."""
    tag, phrase = rng.choice(sorted(TAGS.items()))
    return Mutant(_replace_value(rng, text, tag).encode(), "tag", phrase)


def deep_nesting(rng: random.Random, text: str) -> Mutant:
    """A value nested far deeper than any stack (Python's recursion limit, reached by PyYAML)."""
    depth = rng.choice([70, 500, 3000])
    return Mutant(_replace_value(rng, text, "[" * depth + "]" * depth).encode(), "deep", "nesting deeper than")


def alias_bomb(rng: random.Random, text: str) -> Mutant:
    """Aliases that expand to millions of values, or an alias inside its own anchor."""
    if rng.random() < 0.5:
        bomb = ["  bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]"]
        bomb += [f"  bomb{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 10)}]" for i in range(1, 7)]
        phrase = "expands to more than"
    else:
        bomb, phrase = ["  loop: &loop [*loop]"], "refers to a value that contains it"
    return Mutant(text.replace("config:\n", "config:\n" + "\n".join(bomb) + "\n", 1).encode(), "alias", phrase)


def encoding(rng: random.Random, text: str) -> Mutant:
    """The file in another encoding, or with a byte UTF-8 never has, or a NUL."""
    choice = rng.randrange(4)
    if choice == 0:
        return Mutant(text.encode("utf-16"), "encoding", "is UTF-16 encoded")
    if choice == 1:
        return Mutant(("# équipe\n" + text).encode("latin-1"), "encoding", "is not UTF-8")
    data = bytearray(text.encode())
    data.insert(rng.randrange(len(data)), 0 if choice == 2 else 0xFF)
    return Mutant(bytes(data), "encoding", "is not allowed in YAML" if choice == 2 else "is not UTF-8")


def yaml_trick(rng: random.Random, text: str) -> Mutant:
    """What YAML allows and JSON does not mean: a second document, tabs, complex keys, merge keys, bare `on:`."""
    tricks = [
        (text + "---\nconfig: {}\n", "expected a single document"),
        (text.replace("    cloud:", "\tcloud:", 1), None),
        (text.replace("config:\n", "config:\n  ? [a, b]\n  : 1\n", 1), "found unhashable key"),
        (text.replace("config:\n", "%YAML 1.1\n---\nconfig:\n", 1), None),
        (_replace_value(rng, text, "{<<: {a: 1}, a: 2}"), None),
        (_replace_value(rng, text, "{on: 1, off: 2, yes: 3}"), None),
        (_replace_value(rng, text, '"\\ud800"'), "escape that is not a character"),
    ]
    data, phrase = rng.choice(tricks)
    return Mutant(data.encode(), "yaml", phrase)


MUTATIONS: tuple[Mutation, ...] = (
    duplicate_key,
    delete_line,
    wrong_type,
    boundary_number,
    huge_integer,
    non_json_tag,
    deep_nesting,
    alias_bomb,
    encoding,
    yaml_trick,
)


def _token(rng: random.Random) -> str:
    """A made-up value in the shape of a real credential (never a real one)."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    pick = lambda n, alphabet=letters: "".join(rng.choice(alphabet) for _ in range(n))  # noqa: E731
    return rng.choice(
        [
            "hf_" + pick(34),
            "AKIA" + pick(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "sk-ant-api03-" + pick(40),
            "ghp_" + pick(36),
        ]
    )


def pasted_credential(rng: random.Random, text: str) -> Mutant:
    """A token pasted where a name belongs: a tag value, or the value of any key (a secret's name, a label)."""
    token = _token(rng)
    if rng.random() < 0.5 and re.search(r"^    tags: .*$", text, flags=re.M):
        mutated = re.sub(r"^    tags: .*$", f"    tags: {{pasted: {token}}}", text, count=1, flags=re.M)
        return Mutant(mutated.encode(), "credential", "looks like")
    # Anywhere else the value may also have the wrong type; the answer is then a type error, never the token.
    return Mutant(_replace_value(rng, text, token).encode(), "credential", None)


CREDENTIAL_MUTATIONS: tuple[Mutation, ...] = (pasted_credential,)


def mutants(seeds: list[str], count: int, seed: int) -> list[Mutant]:
    """`count` mutants of the seed texts, the same ones for the same seed."""
    rng = random.Random(seed)
    chosen = (*MUTATIONS, *CREDENTIAL_MUTATIONS)
    return [rng.choice(chosen)(rng, rng.choice(seeds)) for _ in range(count)]
