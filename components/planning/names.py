"""Names shared by the cloud and workload layers, so an identity trusts exactly the account that uses it."""

from __future__ import annotations

STAGING_NAMESPACE = "llm-staging"
STAGING_SERVICE_ACCOUNT = "model-stager"


def serving_namespace(model_key: str) -> str:
    """The Kubernetes namespace that serves one model (one namespace per model keeps policies per model)."""
    return f"llm-{model_key}"


def serving_service_account(model_key: str) -> str:
    """The Kubernetes service account the model's engine pods run as."""
    return f"{model_key}-engine"


def model_prefix(model_key: str) -> str:
    """The bucket prefix that holds one model's staged weights."""
    return f"models/{model_key}"
