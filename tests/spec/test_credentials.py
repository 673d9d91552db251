"""The credential-shape detector: each documented format and random runs are found, ordinary values are not.

Samples are built at run time from fragments, so this file holds no string a secret scanner would flag.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from inferstack.spec.credentials import REDACTED, credential_kind, find_credentials, redact


def _random(length: int, alphabet: str = string.ascii_letters + string.digits, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


SAMPLES = {
    "a Hugging Face token": "hf" + "_" + _random(34),
    "an Anthropic API key": "sk-" + "ant-api03-" + _random(60),
    "an OpenAI-style API key": "sk-" + "proj-" + _random(48),
    "an AWS access key": "AK" + "IA" + _random(16, string.ascii_uppercase + string.digits),
    "a private key": "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE...",
    "a GitHub token": "gh" + "p_" + _random(36),
    "a long random string (like a token or a secret key)": _random(40, string.ascii_letters + string.digits + "/+"),
}


@pytest.mark.parametrize(("kind", "value"), sorted(SAMPLES.items()))
def test_each_shape_is_named(kind: str, value: str) -> None:
    assert credential_kind(value) == kind
    assert credential_kind(f"  prefix {value} suffix ") == kind


@pytest.mark.parametrize(
    "value",
    [
        "hfToken",
        "inferstack:hubToken",
        "team-a:openai.api-key",
        "Qwen/Qwen2.5-7B-Instruct",
        "a" * 64,
        "0123456789abcdef0123456789abcdef01234567",  # a commit
        "sha256:" + "ab12" * 16,  # an image digest
        "arn:aws:iam::123456789012:role/PlatformAdmins",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "offline-plan-placeholder-not-a-secret",
        "kind-inferstack-local-cluster-context-name",
        "ml-platform",
        "/tmp/pytest-of-root/pytest-94/test_validate_exits_2_on_a_reg0/Pulumi.aws-dev.yaml",
        "k8s.io/cluster-autoscaler/node-template/label/inferstack.dev/pool",
        "sk-",
        "",
    ],
)
def test_ordinary_values_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None


def test_redact_replaces_every_credential_and_keeps_the_rest() -> None:
    token, key = SAMPLES["a Hugging Face token"], SAMPLES["an AWS access key"]
    text = f"token={token} key={key} region=us-east-1"
    assert redact(text) == f"token={REDACTED} key={REDACTED} region=us-east-1"
    assert [match.kind for match in find_credentials(text)] == ["a Hugging Face token", "an AWS access key"]


def test_a_known_shape_is_not_also_reported_as_random() -> None:
    assert len(find_credentials(SAMPLES["an OpenAI-style API key"])) == 1


def test_an_anthropic_key_is_reported_once() -> None:
    assert [match.kind for match in find_credentials(SAMPLES["an Anthropic API key"])] == ["an Anthropic API key"]


def test_base64_of_readable_text_is_not_random_but_of_a_secret_still_is() -> None:
    # A launch template's user data (the nodeadm RAID0 document) is base64 of MIME text: not a credential.
    user_data = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=X\n\n--X\nkind: NodeConfig\n--X--\n"
    assert find_credentials(base64.b64encode(user_data.encode()).decode()) == []
    rng = random.Random(7)
    secret = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))
    assert credential_kind(base64.b64encode(f"admin:{secret}".encode()).decode()) is not None
    assert credential_kind(base64.b64encode(random.Random(3).randbytes(36)).decode()) is not None


def test_a_secret_written_inside_readable_base64_user_data_is_still_found() -> None:
    token = "hf_" + "".join(random.Random(5).choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k=34))
    user_data = f"#!/bin/bash\nexport HF_TOKEN={token}\necho ready\n"
    kind = credential_kind(base64.b64encode(user_data.encode()).decode())
    assert kind is not None and kind.startswith("base64 text holding"), kind
