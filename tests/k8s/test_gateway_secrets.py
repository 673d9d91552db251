"""A client's API key reaches only the gateway's Secret, as a Pulumi secret: never a plan, manifest or output."""

from __future__ import annotations

import json

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.offline_config import offline_secret_config
from inferstack.infra.offline.plan import SECRET
from inferstack.infra.program import build
from inferstack.infra.review.manifests import plan_manifests, to_yaml
from inferstack.validation import load_stack_file
from tests.conftest import shipped_stacks
from tests.infra.test_pulumi_entrypoint import stack_config
from tests.spec.test_credentials import SAMPLES

KEY = SAMPLES["an OpenAI-style API key"]


def test_a_client_key_never_appears_in_the_plan_manifests_or_outputs() -> None:
    spec = load_stack_file(shipped_stacks()["aws-prod"])
    secrets = {**offline_secret_config(spec), "inferstack:chatAppApiKey": KEY}
    config = {**stack_config("aws-prod"), **secrets}
    plan = run_offline(lambda: build(spec), stack="aws-prod", config=config, secret_keys=list(secrets))
    (secret,) = [
        r for r in plan.resources if r.type.endswith(":Secret") and r.inputs["metadata"]["name"] == "client-keys"
    ]
    assert secret.inputs["stringData"] == {"batch": SECRET, "chat-app": SECRET}
    assert KEY not in plan.to_json()
    assert KEY not in json.dumps(plan.outputs, default=str)
    assert all(KEY not in to_yaml(doc) for doc in plan_manifests(plan).values())
