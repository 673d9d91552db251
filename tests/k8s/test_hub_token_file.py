"""The staging Job reads the hub token from a mounted file (HF_TOKEN_PATH), never from an environment value."""

from __future__ import annotations

from typing import Any

from inferstack.infra.review.manifests import plan_manifests
from inferstack.planning.names import STAGING_NAMESPACE
from tests.conftest import shipped_plan


def staging_jobs(stack: str) -> list[dict[str, Any]]:
    """The staging Jobs of a shipped stack's manifests (not the smoke tests in the serving namespaces)."""
    docs = plan_manifests(shipped_plan(stack)).values()
    return [doc for doc in docs if doc.get("kind") == "Job" and doc["metadata"]["namespace"] == STAGING_NAMESPACE]


def test_the_staging_job_mounts_the_hub_token_as_a_file() -> None:
    # aws-prod's `small` model names hub_token_secret: hubToken.
    (job,) = [j for j in staging_jobs("aws-prod") if j["metadata"]["labels"]["app.kubernetes.io/instance"] == "small"]
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert {"name": "HF_TOKEN_PATH", "value": "/var/run/secrets/inferstack/hub/token"} in container["env"]
    assert not any("valueFrom" in var or var["name"] == "HF_TOKEN" for var in container["env"])
    assert {"name": "hub-token", "mountPath": "/var/run/secrets/inferstack/hub", "readOnly": True} in container[
        "volumeMounts"
    ]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "hub-token"]
    assert volume["secret"]["items"] == [{"key": "hub-token", "path": "token"}]
    assert volume["secret"]["defaultMode"] == 0o440


def test_a_job_without_a_hub_token_mounts_none() -> None:
    for job in staging_jobs("aws-prod"):
        if job["metadata"]["labels"]["app.kubernetes.io/instance"] != "small":
            pod = job["spec"]["template"]["spec"]
            assert not any(v["name"] == "hub-token" for v in pod["volumes"])
