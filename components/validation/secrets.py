"""Credentials never sit in a stack file in plaintext: not in a spec field, not in a stack config value.

`hub_token_secret` and `api_key_secret` name a Pulumi config key whose value Pulumi encrypts (`secure:`).
A credential pasted into any spec field, or a plaintext config value, would be copied into the Plan JSON
CI keeps, the manifests and the CLI output; it is refused here, and no message repeats it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from inferstack.spec.credentials import REVOKE, credential_kind, credential_problem
from inferstack.spec.document import CONFIG_KEY
from inferstack.spec.errors import ROOT, SpecIssue, join_path
from inferstack.spec.models import EnvironmentSpec
from inferstack.spec.secret_keys import PROJECT_NAMESPACE, secret_key_fields
from inferstack.validation.provider_config import config_path

# The config key a fix suggests for each secret-name field.
EXAMPLE_KEYS = {"api_key_secret": "apiKey", "hub_token_secret": "hubToken", "secret": "alertWebhook"}


def credential_fix(path: str) -> str:
    """The fix for a credential found at a YAML path: a Pulumi secret, named by its key where a field takes one."""
    field = path.rsplit(".", 1)[-1]
    if field in EXAMPLE_KEYS:
        key = EXAMPLE_KEYS[field]
        return f"run `pulumi config set --secret {key} <value>` and write {field}: {key}; {REVOKE}"
    return f"remove it; credentials go in Pulumi secrets named by api_key_secret or hub_token_secret; {REVOKE}"


def _strings(value: object, path: str) -> Iterable[tuple[str, str, bool]]:
    """(path, text, is_a_key) for every string in a dumped spec; a dict key is reported at its mapping's path."""
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and credential_kind(key) is not None:
                yield path, key, True
                continue  # the key is the problem; its path would quote it
            yield from _strings(item, join_path(path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, join_path(path, index))


def check_credentials(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """No spec field (secret names, tags, labels, served names, contexts, images, admins) holds a credential."""
    for path, text, is_key in _strings(spec.model_dump(mode="json"), ROOT):
        kind = credential_kind(text)
        if kind is not None:
            problem = credential_problem(kind)
            yield SpecIssue(path, f"a key {problem}" if is_key else problem, credential_fix(path))


def _full(key: str) -> str:
    return key if ":" in key else f"{PROJECT_NAMESPACE}:{key}"


def _is_encrypted(value: object) -> bool:
    return isinstance(value, Mapping) and set(value) == {"secure"} and isinstance(value.get("secure"), str)


def _plain_credential(value: object) -> str | None:
    if isinstance(value, str):
        return credential_kind(value)
    if isinstance(value, Mapping) and not _is_encrypted(value):
        return next((kind for item in value.values() if (kind := _plain_credential(item))), None)
    if isinstance(value, list):
        return next((kind for item in value if (kind := _plain_credential(item))), None)
    return None


def check_secret_config(spec: EnvironmentSpec, config: Mapping[str, object]) -> Iterable[SpecIssue]:
    """Secret config keys the spec names are `secure:` values; no other config value is a plaintext credential."""
    named = secret_key_fields(spec)
    for key, value in sorted(config.items()):
        if key == CONFIG_KEY:
            continue  # the spec itself: check_credentials reads it field by field
        full = _full(key)
        if full in named and not _is_encrypted(value):
            short = full.removeprefix(f"{PROJECT_NAMESPACE}:")
            yield SpecIssue(
                config_path(key),
                f"is a plaintext value (not shown), but {', '.join(named[full])} names it as a secret",
                f"remove the line and run `pulumi config set --secret {short} <value>` (it writes secure: …); {REVOKE}",
            )
        elif (kind := _plain_credential(value)) is not None:
            yield SpecIssue(
                config_path(key),
                f"holds what looks like {kind} in plaintext (value not shown)",
                f"remove the line and run `pulumi config set --secret {full} <value>`; {REVOKE}",
            )
