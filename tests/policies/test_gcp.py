"""The rules of policies/gcp.py: buckets, firewall rules, the GKE control plane and node metadata.

A compliant example passes; each single mutation of it fails with its message.
"""

from __future__ import annotations

import pytest

from tests.policies.support import DELETE, Mutation, Resource, check_compliant, check_mutation, mutation_ids

GOOD: dict[str, list[Resource]] = {
    "gcp-bucket-private": [
        (
            "gcp:storage/bucket:Bucket",
            "weights",
            {"uniformBucketLevelAccess": True, "publicAccessPrevention": "enforced", "versioning": {"enabled": True}},
        )
    ],
    "gcp-no-world-ingress": [
        (
            "gcp:compute/firewall:Firewall",
            "fw-1",
            {"direction": "INGRESS", "allows": [{"protocol": "tcp"}], "sourceRanges": ["35.191.0.0/16"]},
        )
    ],
    "gcp-gke-secrets-encrypted": [
        (
            "gcp:container/cluster:Cluster",
            "dev",
            {"databaseEncryption": {"state": "ENCRYPTED", "keyName": "projects/p/locations/l/keyRings/r/cryptoKeys/k"}},
        )
    ],
    "gcp-gke-endpoint-restricted": [
        (
            "gcp:container/cluster:Cluster",
            "dev",
            {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "203.0.113.0/24"}]}},
        )
    ],
    "gcp-node-metadata-protected": [
        (
            "gcp:container/nodePool:NodePool",
            "np-1",
            {
                "nodeConfig": {
                    "workloadMetadataConfig": {"mode": "GKE_METADATA"},
                    "shieldedInstanceConfig": {"enableSecureBoot": True},
                }
            },
        )
    ],
    "gcp-api-never-disabled": [
        (
            "gcp:projects/service:Service",
            "dev-api-container",
            {"service": "container.googleapis.com", "disableOnDestroy": False, "disableDependentServices": False},
        )
    ],
}

MUTATIONS: list[Mutation] = [
    ("gcp-bucket-private", 0, ("uniformBucketLevelAccess",), False, {}, "uniform bucket-level access"),
    ("gcp-bucket-private", 0, ("publicAccessPrevention",), "inherited", {}, "public access prevention"),
    ("gcp-bucket-private", 0, ("versioning", "enabled"), False, {}, "versioning is off"),
    ("gcp-no-world-ingress", 0, ("sourceRanges",), ["0.0.0.0/0"], {}, "0.0.0.0/0"),
    ("gcp-no-world-ingress", 0, ("direction",), DELETE, {"unused": 1}, ""),  # default INGRESS still passes
    ("gcp-gke-secrets-encrypted", 0, ("databaseEncryption", "state"), "DECRYPTED", {}, "secrets encryption"),
    ("gcp-gke-endpoint-restricted", 0, ("masterAuthorizedNetworksConfig",), DELETE, {}, "without authorized"),
    (
        "gcp-node-metadata-protected",
        0,
        ("nodeConfig", "workloadMetadataConfig", "mode"),
        "GCE_METADATA",
        {},
        "GKE_METADATA",
    ),
    ("gcp-node-metadata-protected", 0, ("nodeConfig", "shieldedInstanceConfig"), DELETE, {}, "secure boot"),
    ("gcp-api-never-disabled", 0, ("disableOnDestroy",), True, {}, "disables container.googleapis.com"),
    ("gcp-api-never-disabled", 0, ("disableDependentServices",), True, {}, "every API that depends on it"),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
