"""Turning a plain Kubernetes object dict into the typed pulumi_kubernetes resource that registers it.

The dict's kind and name are known when the program is written; its body may wait on cloud outputs (a bucket
URI, an identity annotation), so it can be a `pulumi.Output[dict]`. Every top-level field must be one the
typed resource takes: an unexpected field is a bug in a builder, caught here rather than dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

Body = dict[str, Any] | pulumi.Output[dict[str, Any]]

# (apiVersion, kind) -> typed resource class; custom resources go through CustomResource.
TYPED: dict[tuple[str, str], Callable[..., pulumi.CustomResource]] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "Service"): k8s.core.v1.Service,
    ("v1", "PersistentVolumeClaim"): k8s.core.v1.PersistentVolumeClaim,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("batch/v1", "Job"): k8s.batch.v1.Job,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("storage.k8s.io/v1", "StorageClass"): k8s.storage.v1.StorageClass,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): k8s.rbac.v1.ClusterRole,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): k8s.rbac.v1.ClusterRoleBinding,
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): k8s.apiextensions.v1.CustomResourceDefinition,
}
CUSTOM = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("http.keda.sh/v1beta1", "InterceptorRoute"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    # The inference gateway's kinds (components/k8s/gateway/).
    ("gateway.networking.k8s.io/v1", "GatewayClass"),
    ("gateway.networking.k8s.io/v1", "Gateway"),
    ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"),
    ("gateway.envoyproxy.io/v1alpha1", "EnvoyProxy"),
    ("gateway.envoyproxy.io/v1alpha1", "SecurityPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "Backend"),
    ("aigateway.envoyproxy.io/v1beta1", "AIGatewayRoute"),
    ("aigateway.envoyproxy.io/v1beta1", "AIServiceBackend"),
    ("inference.networking.k8s.io/v1", "InferencePool"),
}
# Object field -> keyword argument of the typed resources.
FIELDS = {
    "metadata": "metadata",
    "spec": "spec",
    "automountServiceAccountToken": "automount_service_account_token",
    "stringData": "string_data",
    "data": "data",
    "type": "type",
    "provisioner": "provisioner",
    "parameters": "parameters",
    "volumeBindingMode": "volume_binding_mode",
    "allowVolumeExpansion": "allow_volume_expansion",
    "reclaimPolicy": "reclaim_policy",
    "rules": "rules",
    "subjects": "subjects",
    "roleRef": "role_ref",
}
HEADER = ("apiVersion", "kind")


class UnknownObjectError(ValueError):
    """A builder produced a kind or a field this module does not know how to register."""


def resource_name(prefix: str, obj: dict[str, Any]) -> str:
    """The Pulumi name of an object: the component prefix, the object's name and its kind."""
    return f"{prefix}-{obj['metadata']['name']}-{obj['kind'].lower()}"


def register(prefix: str, shape: dict[str, Any], body: Body, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """Create the typed resource for an object whose `shape` (kind, name, fields) is known now, body maybe later."""
    key = (shape["apiVersion"], shape["kind"])
    fields = [name for name in shape if name not in HEADER]
    unknown = [name for name in fields if name not in FIELDS]
    if unknown or (key not in TYPED and key not in CUSTOM):
        raise UnknownObjectError(f"cannot register {key} with fields {fields}")
    kwargs = {FIELDS[name]: _field(body, name) for name in fields}
    name = resource_name(prefix, shape)
    if key in CUSTOM:
        return k8s.apiextensions.CustomResource(name, api_version=key[0], kind=key[1], opts=opts, **kwargs)
    return TYPED[key](name, opts=opts, **kwargs)


def _field(body: Body, name: str) -> Any:
    if isinstance(body, pulumi.Output):
        return body.apply(lambda obj: obj[name])
    return body[name]
