"""GcpEnvironment under the offline engine: firewall, IAM scope, cluster, pools, bucket and the target contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pulumi
import pytest

from inferstack.gcp.environment import GcpEnvironment
from inferstack.gcp.plan.cluster import CLUSTER_VIEWER_ROLE, cluster_location, private_endpoint, release_channel
from inferstack.gcp.plan.identity import (
    CACHE_WRITER_ROLE,
    NODE_ROLES,
    READER_ROLE,
    WORKLOAD_IDENTITY_ROLE,
    WRITER_ROLE,
    account_id,
    gke_service_agent,
)
from inferstack.gcp.plan.keys import KEY_ROTATION_PERIOD
from inferstack.gcp.plan.network import DENY_ALL_PRIORITY
from inferstack.gcp.plan.nodes import GPU_DRIVER_VERSION, plan_gke_gpu_pool
from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.mock_types import MOCK_PROJECT
from inferstack.infra.offline.mocks_gcp import MOCK_PROJECT_NUMBER
from inferstack.infra.offline.plan import SECRET, Plan, PlannedResource
from inferstack.planning.names import (
    STAGING_NAMESPACE,
    STAGING_SERVICE_ACCOUNT,
    serving_namespace,
    serving_service_account,
)
from inferstack.planning.spec_serving import compile_cache_models
from inferstack.spec import EnvironmentSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_KEY, POOL_LABEL
from inferstack.validation import load_stack_file
from tests.conftest import REPO

STACKS = ("gcp-dev", "gcp-prod")
BROAD_ROLES = {"roles/owner", "roles/editor", "roles/viewer", "roles/storage.admin", "roles/storage.objectViewer"}


def stack(name: str) -> EnvironmentSpec:
    return load_stack_file(REPO / "stacks" / f"Pulumi.{name}.yaml")


def environment_program(spec: EnvironmentSpec) -> Callable[[], dict[str, Any]]:
    def program() -> dict[str, Any]:
        env = GcpEnvironment(spec.name, spec)
        target = env.target
        return {
            **env.outputs,
            "readers": target.reader_annotations,
            "writer": target.writer_annotations,
            "store": target.model_store_uri,
            "target": pulumi.Output.from_input(
                {
                    "pools": {key: vars(pool) for key, pool in target.pools.items()},
                    "device_plugin": target.needs_device_plugin,
                    "lb": target.internal_lb_annotations,
                }
            ),
        }

    return program


@cache
def planned(name: str) -> Plan:
    """The stack's GCP layer under the offline engine (the Plan records each resource's protect flag)."""
    return run_offline(environment_program(stack(name)), stack=name)


@pytest.fixture(params=STACKS)
def name(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.param


def one(plan: Plan, type_token: str, suffix: str) -> PlannedResource:
    (found,) = [res for res in plan.of_type(type_token) if res.name.endswith(suffix)]
    return found


def test_firewall_allows_nothing_from_the_world(name: str) -> None:
    plan = planned(name)
    rules = plan.of_type("gcp:compute/firewall:Firewall")
    assert len(rules) == 4
    for rule in rules:
        assert rule.inputs["description"]
        assert rule.inputs["direction"] == "INGRESS"
        if rule.inputs.get("allows"):
            assert "0.0.0.0/0" not in rule.inputs["sourceRanges"], rule.name
    (deny,) = [rule for rule in rules if rule.inputs.get("denies")]
    assert deny.inputs["priority"] == DENY_ALL_PRIORITY


def test_workload_identities_hold_no_project_roles_and_one_bucket_role(name: str) -> None:
    plan = planned(name)
    spec = stack(name)
    accounts = {res.inputs["accountId"]: res for res in plan.of_type("gcp:serviceaccount/account:Account")}
    node_account = account_id(spec.name, "nodes")
    project_members = plan.of_type("gcp:projects/iAMMember:IAMMember")
    # Only the node identity holds project roles, and only the minimal ones.
    assert {res.inputs["member"] for res in project_members} == {
        f"serviceAccount:{node_account}@{MOCK_PROJECT}.iam.gserviceaccount.com"
    }
    assert sorted(res.inputs["role"] for res in project_members) == sorted(NODE_ROLES)
    assert not BROAD_ROLES & set(NODE_ROLES)
    bucket = one(plan, "gcp:storage/bucket:Bucket", "-bucket")
    members = plan.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
    # The compile-cache grants are conditional, add-only and checked in test_compile_cache_grant_is_add_only_...
    grants = {res.inputs["member"]: res.inputs for res in members if "condition" not in res.inputs}
    expected = {
        account_id(spec.name, model, "read"): (
            READER_ROLE,
            serving_namespace(model),
            serving_service_account(model),
        )
        for model in spec.models
    } | {account_id(spec.name, "stager"): (WRITER_ROLE, STAGING_NAMESPACE, STAGING_SERVICE_ACCOUNT)}
    assert set(accounts) == {node_account, *expected}
    bindings = {
        res.inputs["serviceAccountId"]: res.inputs for res in plan.of_type("gcp:serviceaccount/iAMMember:IAMMember")
    }
    for account, (role, namespace, ksa) in expected.items():
        email = f"{account}@{MOCK_PROJECT}.iam.gserviceaccount.com"
        assert grants[f"serviceAccount:{email}"] == {
            "bucket": bucket.id,
            "role": role,
            "member": f"serviceAccount:{email}",
        }
        binding = bindings[accounts[account].id]
        assert binding["role"] == WORKLOAD_IDENTITY_ROLE
        assert binding["member"] == f"serviceAccount:{MOCK_PROJECT}.svc.id.goog[{namespace}/{ksa}]"
    assert len(bindings) == len(expected)


def test_cluster_is_private_encrypted_and_hardened(name: str) -> None:
    plan = planned(name)
    spec = stack(name)
    cluster = one(plan, "gcp:container/cluster:Cluster", "-cluster").inputs
    secrets_key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-gke-secrets")
    assert cluster["privateClusterConfig"] == {
        "enablePrivateNodes": True,
        "enablePrivateEndpoint": private_endpoint(spec),
    }
    assert cluster["masterAuthorizedNetworksConfig"]["cidrBlocks"] == [
        {"cidrBlock": str(cidr), "displayName": str(cidr)} for cidr in spec.network.api_access
    ]
    assert cluster["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": secrets_key.id}
    assert cluster["workloadIdentityConfig"] == {"workloadPool": f"{MOCK_PROJECT}.svc.id.goog"}
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["removeDefaultNodePool"] is True and cluster["enableShieldedNodes"] is True
    assert cluster["deletionProtection"] is spec.production
    assert cluster["location"] == cluster_location(spec)
    assert cluster["releaseChannel"] == {"channel": release_channel(spec)}
    assert "WORKLOADS" in cluster["loggingConfig"]["enableComponents"]
    agent = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-gke-secrets-agent").inputs
    assert agent["member"] == gke_service_agent(MOCK_PROJECT_NUMBER)
    assert agent["cryptoKeyId"] == secrets_key.id
    key = secrets_key.inputs
    assert key["rotationPeriod"] == KEY_ROTATION_PERIOD


def managed_pools(spec: EnvironmentSpec) -> EnvironmentSpec:
    """The stack with GKE node pools for its GPU pools (a ComputeClass stack's reservations dropped)."""
    pools = {
        key: pool.model_copy(
            update={"capacity": tuple(c for c in pool.capacity if c != "reserved"), "reservations": {}}
        )
        for key, pool in spec.node_pools.items()
    }
    return spec.model_copy(
        update={"cluster": spec.cluster.model_copy(update={"provisioner": None}), "node_pools": pools}
    )


def test_gpu_pools_match_the_catalog_and_carry_taint_labels_and_identity(name: str) -> None:
    # ComputeClass stacks have no GPU node pool (tests/gcp/test_compute_class.py): their managed-pool form is checked.
    spec = managed_pools(stack(name))
    plan = run_offline(environment_program(spec), stack=name)
    node_email = f"{account_id(spec.name, 'nodes')}@{MOCK_PROJECT}.iam.gserviceaccount.com"
    for key, pool in spec.node_pools.items():
        expected = plan_gke_gpu_pool(spec, key)
        inputs = one(plan, "gcp:container/nodePool:NodePool", f"-pool-{key}-pool").inputs
        config = inputs["nodeConfig"]
        (accelerator,) = config["guestAccelerators"]
        assert expected.accelerators is not None
        assert accelerator == {
            "type": expected.accelerators.accelerator_type,
            "count": expected.accelerators.count,
            "gpuDriverInstallationConfig": {"gpuDriverVersion": GPU_DRIVER_VERSION},
        }
        assert config["machineType"] == expected.machine_type
        assert config["spot"] is (pool.capacity[0] == "spot")
        assert config["taints"] == [{"key": GPU_TAINT_KEY, "value": "present", "effect": "NO_SCHEDULE"}]
        assert config["labels"] == {POOL_LABEL: key, GPU_LABEL: pool.gpu, **pool.labels}
        assert config["serviceAccount"] == node_email
        assert config["shieldedInstanceConfig"]["enableSecureBoot"] is True
        assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert inputs["nodeLocations"] == list(expected.zones)
        assert inputs["autoscaling"]["totalMinNodeCount"] == pool.min
        assert inputs["autoscaling"]["totalMaxNodeCount"] == pool.max
    system = one(plan, "gcp:container/nodePool:NodePool", "-system").inputs
    assert system["nodeConfig"]["machineType"] == "e2-standard-4"
    assert "guestAccelerators" not in system["nodeConfig"]


def test_bucket_is_private_versioned_expiring_and_protected_as_the_stack_says(name: str) -> None:
    plan = planned(name)
    spec = stack(name)
    bucket = one(plan, "gcp:storage/bucket:Bucket", "-bucket")
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["versioning"] == {"enabled": True}
    assert {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 30}} in bucket.inputs[
        "lifecycleRules"
    ]
    store_key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-model-store")
    assert bucket.inputs["encryption"] == {"defaultKmsKeyName": store_key.id}
    agent = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-model-store-agent").inputs
    assert (
        agent["member"] == f"serviceAccount:service-{MOCK_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    )
    want = spec.production
    assert bucket.protect is want
    assert store_key.protect is want
    assert one(plan, "gcp:kms/keyRing:KeyRing", "-ring").protect is want


def test_target_contract(name: str) -> None:
    plan = planned(name)
    spec = stack(name)
    out = plan.outputs
    assert out["kubeconfig"] == SECRET
    bucket = one(plan, "gcp:storage/bucket:Bucket", "-bucket")
    assert out["store"] == out["model_store_uri"] == f"gs://{bucket.id}"
    assert out["readers"] == {
        model: {"iam.gke.io/gcp-service-account": email} for model, email in out["model_identities"].items()
    }
    assert set(out["readers"]) == set(spec.models)
    assert out["writer"] == {"iam.gke.io/gcp-service-account": out["staging_identity"]}
    target = out["target"]
    assert target["device_plugin"] is False
    assert target["lb"] == {"networking.gke.io/load-balancer-type": "Internal"}
    assert set(target["pools"]) == set(spec.node_pools)
    for key, pool in target["pools"].items():
        assert pool["taints"] and pool["labels"][POOL_LABEL] == key


def test_network_has_nat_private_google_access_and_flow_logs() -> None:
    plan = planned("gcp-dev")
    subnet = one(plan, "gcp:compute/subnetwork:Subnetwork", "-subnet").inputs
    assert subnet["privateIpGoogleAccess"] is True
    assert subnet["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA"
    assert [r["rangeName"] for r in subnet["secondaryIpRanges"]] == ["pods", "services"]
    network = one(plan, "gcp:compute/network:Network", "-vpc").inputs
    assert network["autoCreateSubnetworks"] is False
    nat = one(plan, "gcp:compute/routerNat:RouterNat", "-nat").inputs
    assert nat["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    sink = one(plan, "gcp:logging/projectSink:ProjectSink", "-sink").inputs
    assert sink["destination"].startswith("logging.googleapis.com/projects/")


def variant(**changes: Any) -> EnvironmentSpec:
    data = stack("gcp-dev").model_dump(mode="json", exclude_unset=True) | changes
    return EnvironmentSpec.model_validate(data)


def test_admins_get_cluster_admin_through_rbac_only() -> None:
    spec = variant(cluster={"location": "zonal", "admins": ["user:alice@example.com"]})
    plan = run_offline(environment_program(spec), stack="admins")
    (binding,) = plan.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    assert binding.inputs["roleRef"]["name"] == "cluster-admin"
    assert binding.inputs["subjects"] == [
        {"kind": "User", "name": "alice@example.com", "apiGroup": "rbac.authorization.k8s.io"}
    ]
    roles = {res.inputs["member"]: res.inputs["role"] for res in plan.of_type("gcp:projects/iAMMember:IAMMember")}
    assert roles["user:alice@example.com"] == CLUSTER_VIEWER_ROLE


def test_without_a_bucket_there_are_no_identities_and_no_store_key() -> None:
    spec = variant(model_store={"bucket": False})
    plan = run_offline(environment_program(spec), stack="nobucket")
    assert not plan.of_type("gcp:storage/bucket:Bucket")
    assert not plan.of_type("gcp:serviceaccount/iAMMember:IAMMember")
    assert [res.inputs["name"] for res in plan.of_type("gcp:kms/cryptoKey:CryptoKey")] == ["gke-secrets"]
    assert plan.outputs["store"] is None and plan.outputs["readers"] == {}


def test_compile_cache_grant_is_add_only_under_the_models_prefix(name: str) -> None:
    plan, spec = planned(name), stack(name)
    bucket = one(plan, "gcp:storage/bucket:Bucket", "-bucket")
    conditional = [
        res.inputs for res in plan.of_type("gcp:storage/bucketIAMMember:BucketIAMMember") if "condition" in res.inputs
    ]
    caching = compile_cache_models(spec)
    assert (name == "gcp-prod") == bool(caching)  # the shipped prod stack persists its compile cache
    assert len(conditional) == len(caching)
    for grant, model in zip(sorted(conditional, key=lambda g: g["member"]), caching, strict=True):
        email = f"{account_id(spec.name, model, 'read')}@{MOCK_PROJECT}.iam.gserviceaccount.com"
        assert grant["member"] == f"serviceAccount:{email}" and grant["role"] == CACHE_WRITER_ROLE
        expression = grant["condition"]["expression"]
        assert expression == (
            f'resource.name.startsWith("projects/_/buckets/{bucket.inputs["name"]}/objects/compile-cache/{model}/")'
        )
