"""Kubernetes rules: how every workload container runs, GPU scheduling, secrets and network isolation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from inferstack.policies.props import (
    as_list,
    containers,
    dig,
    gpu_request,
    image_is_pinned,
    plain_credential,
    pod_spec,
)
from inferstack.policies.rule import Report, resource_rule, stack_rule
from inferstack.provider_types import K8s

GPU_RESOURCE = "nvidia.com/gpu"
# Long-running servers need startup and readiness probes; run-to-completion pods (Jobs) do not.
SERVING_TYPES = {K8s.DEPLOYMENT, K8s.STATEFUL_SET}


def _workload(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    return pod_spec(args.resource_type, args.props)


def _check_images(args: ResourceValidationArgs, report: Report) -> None:
    spec = _workload(args)
    for _, container in containers(spec) if spec else ():
        if not image_is_pinned(container.get("image")):
            report(f"container {container.get('name')} image {container.get('image')!r} is not pinned")


images_pinned = resource_rule(
    "k8s-image-pinned",
    "Every container image is pinned to a version tag or a digest (never latest, never untagged).",
    _check_images,
    remediation="Use image: repo:1.2.3 or repo@sha256:…",
)


def _check_security_context(args: ResourceValidationArgs, report: Report) -> None:
    spec = _workload(args)
    if not spec:
        return
    pod_non_root = dig(spec, "securityContext", "runAsNonRoot")
    for _, container in containers(spec):
        context = container.get("securityContext") or {}
        name = container.get("name")
        if context.get("runAsNonRoot", pod_non_root) is not True:
            report(f"container {name} may run as root (runAsNonRoot is not true)")
        if context.get("allowPrivilegeEscalation") is not False:
            report(f"container {name} allows privilege escalation")
        if context.get("privileged") is True:
            report(f"container {name} is privileged")


security_context = resource_rule(
    "k8s-restricted-security-context",
    "Containers run as non-root, without privilege escalation, never privileged.",
    _check_security_context,
    remediation="securityContext {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL]}.",
)


def _check_limits(args: ResourceValidationArgs, report: Report) -> None:
    spec = _workload(args)
    for _, container in containers(spec) if spec else ():
        limits = dig(container, "resources", "limits") or {}
        missing = [key for key in ("cpu", "memory") if key not in limits]
        if missing:
            report(f"container {container.get('name')} has no {' or '.join(missing)} limit")


resource_limits = resource_rule(
    "k8s-resource-limits",
    "Every container has CPU and memory limits.",
    _check_limits,
    remediation="Set resources.limits.cpu and resources.limits.memory (sized to the node pool).",
)


def _check_probes(args: ResourceValidationArgs, report: Report) -> None:
    spec = _workload(args)
    if not spec or args.resource_type not in SERVING_TYPES:
        return
    for kind, container in containers(spec):
        if kind == "containers":
            for probe in ("startupProbe", "readinessProbe"):
                if not container.get(probe):
                    report(f"container {container.get('name')} has no {probe}")


probes = resource_rule(
    "k8s-startup-and-readiness-probes",
    "Serving containers have a startup probe (loading takes minutes) and a readiness probe.",
    _check_probes,
    remediation="Add a startupProbe sized for the model load and a readinessProbe on the engine's health endpoint.",
)


def _tolerates_gpu(spec: Mapping[str, Any]) -> bool:
    for toleration in as_list(spec.get("tolerations")):
        effect = dig(toleration, "effect")
        if dig(toleration, "key") == GPU_RESOURCE and effect in (None, "", "NoSchedule"):
            return True
    return False


def _check_gpu_scheduling(args: ResourceValidationArgs, report: Report) -> None:
    spec = _workload(args)
    if not spec:
        return
    if any(gpu_request(container) for _, container in containers(spec)):
        if not _tolerates_gpu(spec):
            report(f"pods request GPUs but do not tolerate the {GPU_RESOURCE} taint of GPU pools")
        if not spec.get("nodeSelector") and not dig(spec, "affinity", "nodeAffinity"):
            report("pods request GPUs but do not select their pool (nodeSelector or node affinity)")


gpu_workloads_tolerate_pool = resource_rule(
    "k8s-gpu-workload-targets-pool",
    "Every GPU workload tolerates the GPU taint and selects its pool.",
    _check_gpu_scheduling,
    remediation="Tolerate {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule} and select the pool's nodes.",
)


def _check_plain_secrets(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type == K8s.CONFIG_MAP:
        for key, value in (args.props.get("data") or {}).items():
            if plain_credential(key, value):
                report(f"ConfigMap key {key} looks like a credential: use a Secret")
        return
    spec = _workload(args)
    for _, container in containers(spec) if spec else ():
        for variable in as_list(container.get("env")):
            if plain_credential(dig(variable, "name"), dig(variable, "value")):
                report(f"container {container.get('name')} env {dig(variable, 'name')} holds a literal credential")


no_plain_secrets = resource_rule(
    "k8s-no-plain-secrets",
    "No credential-looking value sits in a plain environment variable or a ConfigMap.",
    _check_plain_secrets,
    remediation="Put the value in a Kubernetes Secret built from a Pulumi secret and use valueFrom.secretKeyRef.",
    severity=Severity.CRITICAL,
)


def _check_network_policies(args: StackValidationArgs, report: Report) -> None:
    covered = {dig(r.props, "metadata", "namespace") for r in args.resources if r.resource_type == K8s.NETWORK_POLICY}
    for resource in args.resources:
        if resource.resource_type not in SERVING_TYPES:
            continue
        namespace = dig(resource.props, "metadata", "namespace") or "default"
        if namespace not in covered:
            report(f"namespace {namespace} serves workloads without a NetworkPolicy", resource.urn)


network_policy_per_namespace = stack_rule(
    "k8s-networkpolicy-per-serving-namespace",
    "Every namespace that serves a workload has a NetworkPolicy (default deny plus explicit allows).",
    _check_network_policies,
    remediation="Create a NetworkPolicy in the namespace (InferenceService does this for each model).",
)

RULES = [
    images_pinned,
    security_context,
    resource_limits,
    probes,
    gpu_workloads_tolerate_pool,
    no_plain_secrets,
    network_policy_per_namespace,
]
