"""Credential shapes: the one detector validation, error messages and the test suite's leak scan all use.

A stack file names secrets (a Pulumi config key), it never holds them. A value that looks like a token, an
access key or a private key is a credential pasted in the wrong place; it is refused where it is read and
never repeated back, so it cannot reach a Plan JSON, a manifest, a log or CI output.
"""

from __future__ import annotations

import base64
import math
import re
from collections import Counter
from dataclasses import dataclass

# Known prefixes: each is a credential format its issuer documents; the lengths are the shortest real ones.
KNOWN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("a Hugging Face token", re.compile(r"(?<![A-Za-z0-9])(?:hf|api_org)_[A-Za-z0-9]{30,}")),
    ("an Anthropic API key", re.compile(r"(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{20,}")),
    ("an OpenAI-style API key", re.compile(r"(?<![A-Za-z0-9])sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}")),
    ("an AWS access key", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("a Google API key", re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}")),
    # Slack's incoming webhooks (an Alertmanager receiver): the URL itself is the credential.
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]{8,}")),
)
# A long run of token characters with no known prefix (an AWS secret key is 40): random text has a high
# entropy and mixes letter cases and digits; names, hex digests and base64 of readable text do not.
RANDOM_RUN_MIN = 32
RANDOM_RUN = re.compile(rf"[A-Za-z0-9+/_=-]{{{RANDOM_RUN_MIN},}}")
MIN_ENTROPY_BITS = 4.3
MIN_DIGITS = 3
MIN_UPPER_SHARE = 0.25
# Every shape above in one pattern: most values match none, and one scan of them is ~3x faster than ten.
ANY_SHAPE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in KNOWN_SHAPES) + f"|{RANDOM_RUN.pattern}")
RANDOM_SHAPE = "a long random string (like a token or a secret key)"
REDACTED = "[redacted]"
# The end of every fix for a credential found in a file: removing it is not enough.
REVOKE = "then revoke it: it is in the file's history"


@dataclass(frozen=True)
class CredentialMatch:
    """One credential-shaped span of a text: what it looks like and where it is (never the value itself)."""

    kind: str
    start: int
    end: int


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _readable_base64(run: str) -> str | None:
    """The text a run is base64 of, when it is readable text (a launch template's MIME user data), else None."""
    if len(run) % 4:
        return None
    try:
        decoded = base64.b64decode(run, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return None
    # Words and lines, not one token: an encoded "user:password" pair stays suspicious.
    readable = any(c.isspace() for c in decoded) and all(c.isprintable() or c in "\n\t\r" for c in decoded)
    return decoded if readable else None


def _is_random(run: str) -> bool:
    core = run.strip("=")
    if len(core) < RANDOM_RUN_MIN or re.fullmatch(r"[0-9a-fA-F]+", core):
        return False  # too short once padding is gone, or a hex digest (commits, image digests)
    letters = [c for c in core if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    # Random base62 is about half upper case; paths, names and identifiers are mostly one case.
    mixed_case = MIN_UPPER_SHARE <= upper <= 1 - MIN_UPPER_SHARE
    digits = sum(c.isdigit() for c in core)
    return mixed_case and digits >= MIN_DIGITS and _entropy(core) >= MIN_ENTROPY_BITS


def find_credentials(text: str) -> list[CredentialMatch]:
    """Every credential-shaped span of a text, in order; known formats first where two overlap."""
    if ANY_SHAPE.search(text) is None:
        return []
    found: list[CredentialMatch] = []
    candidates = [(kind, m) for kind, pattern in KNOWN_SHAPES for m in pattern.finditer(text)]
    for m in RANDOM_RUN.finditer(text):
        decoded = _readable_base64(m.group())
        if decoded is None:
            if _is_random(m.group()):
                candidates.append((RANDOM_SHAPE, m))
        # Readable base64 (user data) is no secret's shape, but a secret written inside it still is one.
        elif inner := find_credentials(decoded):
            candidates.append((f"base64 text holding {inner[0].kind}", m))
    for kind, m in candidates:
        # The first (most specific) shape claims a span: an Anthropic key is not also an OpenAI-style one.
        if not any(f.start < m.end() and m.start() < f.end for f in found):
            found.append(CredentialMatch(kind, m.start(), m.end()))
    return sorted(found, key=lambda match: (match.start, match.end))


def credential_kind(text: str) -> str | None:
    """What a value looks like when it holds a credential ("a Hugging Face token"), else None."""
    found = find_credentials(text)
    return found[0].kind if found else None


def redact(text: str) -> str:
    """The text with every credential-shaped span replaced by "[redacted]"."""
    out, last = [], 0
    for match in find_credentials(text):
        if match.start >= last:
            out += [text[last : match.start], REDACTED]
            last = match.end
    return "".join([*out, text[last:]])


def credential_problem(kind: str) -> str:
    """The message for a value that looks like a credential (the value itself is never shown)."""
    return f"holds what looks like {kind} (value not shown); a stack file names secrets, it never holds them"
