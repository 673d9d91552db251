"""Names shared by the cloud and workload layers, so an identity trusts exactly the account that uses it."""

from __future__ import annotations

import re

STAGING_NAMESPACE = "llm-staging"
STAGING_SERVICE_ACCOUNT = "model-stager"
# The logical-name suffix of a model store's access-log bucket (the cost model prices it apart from the weights).
ACCESS_LOGS_SUFFIX = "-access-logs"


def serving_namespace(model_key: str) -> str:
    """The Kubernetes namespace that serves one model (one namespace per model keeps policies per model)."""
    return f"llm-{model_key}"


def serving_service_account(model_key: str) -> str:
    """The Kubernetes service account the model's engine pods run as."""
    return f"{model_key}-engine"


def model_prefix(model_key: str) -> str:
    """The bucket prefix that holds one model's staged weights."""
    return f"models/{model_key}"


def adapter_prefix(model_key: str, adapter: str) -> str:
    """The bucket prefix of one LoRA adapter of a model: under the model's own, so its reader's scope covers it."""
    return f"{model_prefix(model_key)}/adapters/{adapter}"


def compile_cache_prefix(model_key: str) -> str:
    """The bucket prefix under which one model's replicas publish and load their torch.compile caches."""
    return f"compile-cache/{model_key}"


# Resource-name parts derived from spec values. Each kind has one pure function, called by the component that
# names the resource and by validation (validation/names.py), which refuses two entries that derive the same
# name: the engine's duplicate-URN error is then unreachable from a valid spec.


def eks_admin_name(principal_arn: str) -> str:
    """The name part of a `cluster.admins` ARN's access entry: its kind and last name, e.g. role-platform-admins."""
    # The IAM path and the account are left out so that names stay short and readable; two admins that differ
    # only there (or in case and punctuation) derive one name and are refused in validation.
    kind, _, path = principal_arn.split(":", 5)[-1].partition("/")
    return re.sub(r"[^a-z0-9-]+", "-", f"{kind}-{path.rsplit('/', 1)[-1]}".lower()).strip("-")


def gke_admin_username(member: str) -> str:
    """The Kubernetes user name GKE authenticates a `user:` or `serviceAccount:` member as: its email."""
    return member.split(":", 1)[1]


def gke_admin_name(member: str) -> str:
    """The name part of a GKE admin's IAM viewer binding, from its email (the member kind is not part of it)."""
    return gke_admin_username(member).replace("@", "-at-").replace(".", "-")


def autoscaler_tag_name(key: str) -> str:
    """The name part of a node-template autoscaler tag: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", key.removeprefix("k8s.io/cluster-autoscaler/node-template/").lower()).strip("-")
