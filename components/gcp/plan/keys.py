"""The environment's Cloud KMS key ring as data: where it lives, how its keys rotate, who may use them."""

from __future__ import annotations

from dataclasses import dataclass

from inferstack.gcp.plan.labels import resource_labels
from inferstack.gcp.plan.location import region
from inferstack.spec.models import EnvironmentSpec

KEY_ROTATION_PERIOD = "7776000s"  # 90 days
KMS_ENCRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
SECRETS_KEY = "gke-secrets"
MODEL_STORE_KEY = "model-store"


@dataclass(frozen=True)
class GcpKeyRingPlan:
    """A regional key ring named after the environment, and the settings of each key in it."""

    ring_name: str
    location: str
    rotation_period: str
    resource_labels: dict[str, str]


def key_ring_name(spec: EnvironmentSpec) -> str:
    """The ring's name: the environment's, then `<environment>-<generation>` for each re-creation.

    Cloud KMS never deletes a key ring or key (`destroy` only forgets them), so after a destroy the same name
    cannot be created again; `cluster.key_ring_generation` gives the next incarnation fresh names. The logical
    Pulumi name stays the same, so generation 1 is exactly the ring every existing stack has.
    """
    generation = spec.cluster.key_ring_generation
    return spec.name if generation == 1 else f"{spec.name}-{generation}"


def plan_key_ring(spec: EnvironmentSpec) -> GcpKeyRingPlan:
    """The key ring of the environment, named for its generation (KMS never frees a name)."""
    return GcpKeyRingPlan(key_ring_name(spec), region(spec), KEY_ROTATION_PERIOD, resource_labels(spec))


def key_names(spec: EnvironmentSpec) -> tuple[str, ...]:
    """The keys the environment needs: cluster secrets always, the model bucket's with a customer key."""
    if spec.model_store.bucket and spec.model_store.customer_managed_key:
        return (SECRETS_KEY, MODEL_STORE_KEY)
    return (SECRETS_KEY,)
