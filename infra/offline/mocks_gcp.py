"""Offline-engine answers for the gcp provider: resource types and invokes, added with their components.

Ids and computed outputs follow the shapes the provider returns (self links, `projects/…` ids, service
account emails, the cluster's endpoint and CA certificate), so wiring between resources reads as it would.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from inferstack.infra.offline.mock_types import (
    MOCK_PROJECT,
    InvokeMock,
    MockedResource,
    Props,
    TypeMock,
    named_id,
    provider_id,
)
from inferstack.provider_types import Gcp

MOCK_PROJECT_NUMBER = "123456789012"
COMPUTE = "https://www.googleapis.com/compute/v1"
CONTAINER = "https://container.googleapis.com/v1"


def _project(res: MockedResource) -> str:
    return str(res.inputs.get("project") or res.provider.get("project") or MOCK_PROJECT)


def _name(res: MockedResource) -> str:
    return named_id(res)


def _octets(res: MockedResource, count: int) -> str:
    """Stable address octets (1-254) from the resource's digest."""
    return ".".join(str(int(res.digest[2 * i : 2 * i + 2], 16) % 254 + 1) for i in range(count))


def _global_id(kind: str) -> TypeMock:
    """A global compute resource: id projects/<p>/global/<kind>/<name>, with its self link."""

    def make_id(res: MockedResource) -> str:
        return f"projects/{_project(res)}/global/{kind}/{_name(res)}"

    return TypeMock(make_id, lambda res: {"name": _name(res), "selfLink": f"{COMPUTE}/{make_id(res)}"})


def _regional_id(kind: str) -> TypeMock:
    """A regional compute resource: id projects/<p>/regions/<r>/<kind>/<name>, with its self link."""

    def make_id(res: MockedResource) -> str:
        return f"projects/{_project(res)}/regions/{res.inputs.get('region')}/{kind}/{_name(res)}"

    return TypeMock(make_id, lambda res: {"name": _name(res), "selfLink": f"{COMPUTE}/{make_id(res)}"})


def _subnetwork_outputs(res: MockedResource) -> Props:
    first = str(res.inputs.get("ipCidrRange", "10.0.0.0/20")).split("/")[0].rsplit(".", 1)[0]
    make_id = f"projects/{_project(res)}/regions/{res.inputs.get('region')}/subnetworks/{_name(res)}"
    return {"name": _name(res), "selfLink": f"{COMPUTE}/{make_id}", "gatewayAddress": f"{first}.1"}


def _cluster_id(res: MockedResource) -> str:
    return f"projects/{_project(res)}/locations/{res.inputs.get('location')}/clusters/{_name(res)}"


def _cluster_outputs(res: MockedResource) -> Props:
    private = dict(res.inputs.get("privateClusterConfig") or {})
    public_ip, private_ip = f"34.{_octets(res, 3)}", f"10.255.{_octets(res, 2)}"
    endpoint = private_ip if private.get("enablePrivateEndpoint") else public_ip
    pem = f"-----BEGIN CERTIFICATE-----\nMIIC{res.digest[:40]}\n-----END CERTIFICATE-----\n"
    return {
        "name": _name(res),
        "endpoint": endpoint,
        "selfLink": f"{CONTAINER}/{_cluster_id(res)}",
        "masterVersion": f"{res.inputs.get('minMasterVersion', '1.33')}.5-gke.1080000",
        "labelFingerprint": res.digest[:8],
        "masterAuth": {
            **dict(res.inputs.get("masterAuth") or {}),
            "clusterCaCertificate": base64.b64encode(pem.encode()).decode(),
        },
        "privateClusterConfig": {**private, "privateEndpoint": private_ip, "publicEndpoint": public_ip},
    }


def _pool_name(res: MockedResource) -> str:
    """The pool's name: given, or its prefix and the unique suffix the provider appends (26 characters)."""
    prefix = res.inputs.get("namePrefix")
    if isinstance(prefix, str) and prefix and not res.inputs.get("name"):
        return prefix + str(int(res.digest[:20], 16)).zfill(26)[:26]
    return _name(res)


def _pool_base(res: MockedResource) -> str:
    # GKE names a pool's instance groups after the pool; here after its base name (the prefix without the dash),
    # the fixed name a pool deployed before the prefix keeps through ignore_changes, with its instance groups.
    prefix = res.inputs.get("namePrefix")
    return prefix.rstrip("-") if isinstance(prefix, str) and prefix else _name(res)


def _node_pool_id(res: MockedResource) -> str:
    cluster = str(res.inputs.get("cluster", "")).rsplit("/", 1)[-1]
    return f"{_project(res)}/{res.inputs.get('location')}/{cluster}/{_pool_name(res)}"


def _node_pool_outputs(res: MockedResource) -> Props:
    zones = res.inputs.get("nodeLocations") or [res.inputs.get("location")]
    groups = [
        f"{COMPUTE}/projects/{_project(res)}/zones/{zone}/instanceGroupManagers/gke-{_pool_base(res)}-{res.digest[:8]}-grp"
        for zone in zones
    ]
    return {"name": _pool_name(res), "instanceGroupUrls": groups, "managedInstanceGroupUrls": groups}


def _key_ring_id(res: MockedResource) -> str:
    return f"projects/{_project(res)}/locations/{res.inputs.get('location')}/keyRings/{_name(res)}"


def _account_email(res: MockedResource) -> str:
    return f"{res.inputs.get('accountId')}@{_project(res)}.iam.gserviceaccount.com"


def _account_outputs(res: MockedResource) -> Props:
    email = _account_email(res)
    return {
        "email": email,
        "name": f"projects/{_project(res)}/serviceAccounts/{email}",
        "member": f"serviceAccount:{email}",
        "uniqueId": str(int(res.digest[:15], 16))[:21],
    }


def _binding_id(target_key: str) -> TypeMock:
    """An IAM member binding: id <target>/<role>/<member>, as the provider composes it."""

    def make_id(res: MockedResource) -> str:
        return f"{res.inputs.get(target_key)}/{res.inputs.get('role')}/{res.inputs.get('member')}"

    return TypeMock(make_id, lambda res: {"etag": f"BwY{res.digest[:9]}="})


def _bucket_outputs(res: MockedResource) -> Props:
    name = _name(res)
    return {
        "name": name,
        "url": f"gs://{name}",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
        "project": _project(res),
    }


def _log_bucket_id(res: MockedResource) -> str:
    return f"projects/{_project(res)}/locations/{res.inputs.get('location')}/buckets/{res.inputs.get('bucketId')}"


RESOURCES: dict[str, TypeMock] = {
    Gcp.PROVIDER: TypeMock(provider_id),
    Gcp.NETWORK: _global_id("networks"),
    Gcp.FIREWALL: _global_id("firewalls"),
    Gcp.SUBNETWORK: TypeMock(
        lambda res: f"projects/{_project(res)}/regions/{res.inputs.get('region')}/subnetworks/{_name(res)}",
        _subnetwork_outputs,
    ),
    Gcp.ROUTER: _regional_id("routers"),
    Gcp.ROUTER_NAT: TypeMock(
        lambda res: f"{_project(res)}/{res.inputs.get('region')}/{res.inputs.get('router')}/{_name(res)}",
        lambda res: {"name": _name(res)},
    ),
    Gcp.GKE_CLUSTER: TypeMock(_cluster_id, _cluster_outputs),
    Gcp.GKE_NODE_POOL: TypeMock(_node_pool_id, _node_pool_outputs),
    Gcp.KMS_KEY_RING: TypeMock(_key_ring_id, lambda res: {"name": _name(res)}),
    Gcp.KMS_CRYPTO_KEY: TypeMock(
        lambda res: f"{res.inputs.get('keyRing')}/cryptoKeys/{_name(res)}", lambda res: {"name": _name(res)}
    ),
    Gcp.KMS_CRYPTO_KEY_IAM_MEMBER: _binding_id("cryptoKeyId"),
    Gcp.SERVICE_ACCOUNT: TypeMock(
        lambda res: f"projects/{_project(res)}/serviceAccounts/{_account_email(res)}", _account_outputs
    ),
    Gcp.SERVICE_ACCOUNT_IAM_MEMBER: _binding_id("serviceAccountId"),
    Gcp.PROJECT_IAM_MEMBER: _binding_id("project"),
    # The provider's id of an enabled API is <project>/<service>.
    Gcp.PROJECT_SERVICE: TypeMock(lambda res: f"{_project(res)}/{res.inputs.get('service')}"),
    Gcp.STORAGE_BUCKET: TypeMock(_name, _bucket_outputs),
    Gcp.STORAGE_BUCKET_IAM_MEMBER: TypeMock(
        lambda res: f"b/{res.inputs.get('bucket')}/{res.inputs.get('role')}/{res.inputs.get('member')}",
        lambda res: {"etag": f"CAE{res.digest[:6]}="},
    ),
    Gcp.LOG_BUCKET_CONFIG: TypeMock(
        _log_bucket_id, lambda res: {"name": _log_bucket_id(res), "lifecycleState": "ACTIVE"}
    ),
    Gcp.LOG_SINK: TypeMock(
        lambda res: f"projects/{_project(res)}/sinks/{_name(res)}",
        lambda res: {
            "writerIdentity": f"serviceAccount:service-{MOCK_PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com"
        },
    ),
}


def _invoke_project(args: Mapping[str, Any], provider: Mapping[str, Any], key: str = "project") -> str:
    # Without an explicit project, a GCP data source answers for its provider's project.
    return str(args.get(key) or provider.get("project") or MOCK_PROJECT)


def _storage_agent(args: Mapping[str, Any], provider: Mapping[str, Any]) -> Props:
    project = _invoke_project(args, provider)
    email = f"service-{MOCK_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    return {"emailAddress": email, "member": f"serviceAccount:{email}", "id": email, "project": project}


INVOKES: dict[str, InvokeMock] = {
    "gcp:organizations/getProject:getProject": lambda args, provider: {
        "projectId": _invoke_project(args, provider, "projectId"),
        "number": MOCK_PROJECT_NUMBER,
        "name": _invoke_project(args, provider, "projectId"),
        "id": f"projects/{_invoke_project(args, provider, 'projectId')}",
    },
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": _storage_agent,
}
