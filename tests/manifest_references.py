"""Cross-object references in a plan's Kubernetes manifests: what schemas accept but a cluster would never run.

Each check names an object another one points at (a namespace, service account, Secret, ConfigMap, claim, scale
target, RBAC role) or a selector that must pick something (a Service's, a PodDisruptionBudget's). Objects a Helm
release creates are not manifests of the plan: their namespaces count as existing, and references into them are
left to the chart.
"""

from __future__ import annotations

from typing import Any

from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.manifests import HELM_RELEASE, is_object, manifest

# Namespaces every cluster has.
BUILT_IN_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


def _objects(plan: Plan) -> list[dict[str, Any]]:
    return [manifest(r) for r in plan.resources if is_object(r)]


def _helm_namespaces(plan: Plan) -> set[str]:
    return {str(r.inputs.get("namespace") or "default") for r in plan.resources if r.type == HELM_RELEASE}


def pod_template(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod template of a workload (CronJob included), or None for any other kind."""
    spec = obj.get("spec") or {}
    if obj["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]
    return spec.get("template") if obj["kind"] in POD_OWNERS else None


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def pod_references(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, name) of what the pod template points at: its service account, Secrets, ConfigMaps and claims."""
    template = pod_template(obj)
    if template is None:
        return []
    pod = template["spec"]
    found = [("ServiceAccount", pod["serviceAccountName"])] if pod.get("serviceAccountName") else []
    for volume in pod.get("volumes", []):
        if "secret" in volume and not volume["secret"].get("optional"):
            found.append(("Secret", volume["secret"]["secretName"]))
        if "configMap" in volume and not volume["configMap"].get("optional"):
            found.append(("ConfigMap", volume["configMap"]["name"]))
        if "persistentVolumeClaim" in volume:
            found.append(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        for var in container.get("env", []):
            ref = (var.get("valueFrom") or {}).get("secretKeyRef")
            if ref and not ref.get("optional"):
                found.append(("Secret", ref["name"]))
    return found


def reference_problems(plan: Plan) -> list[str]:
    """Each dangling reference or empty selector in the plan, as `Kind namespace/name: what is wrong`."""
    objects = _objects(plan)
    have = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects}
    namespaces = {name for kind, _, name in have if kind == "Namespace"} | BUILT_IN_NAMESPACES | _helm_namespaces(plan)
    pods = [
        (o["metadata"].get("namespace"), (pod_template(o) or {}).get("metadata", {}).get("labels") or {})
        for o in objects
        if pod_template(o) is not None
    ]
    problems: list[str] = []
    for obj in objects:
        meta = obj["metadata"]
        ns, where = meta.get("namespace"), f"{obj['kind']} {meta.get('namespace')}/{meta['name']}"
        if ns is not None and ns not in namespaces:
            problems.append(f"{where}: namespace {ns} is neither created nor built in")
        for kind, name in pod_references(obj):
            if (kind, ns, name) not in have and not (kind == "ServiceAccount" and name == "default"):
                problems.append(f"{where}: its pods use {kind} {name}, which the plan does not create")
        spec = obj.get("spec") or {}
        selector: dict[str, str] | None = None
        if obj["kind"] == "Service" and spec.get("selector"):
            selector = spec["selector"]
        elif obj["kind"] == "PodDisruptionBudget":
            selector = (spec.get("selector") or {}).get("matchLabels") or {}
        if selector is not None and not any(pns == ns and _matches(selector, labels) for pns, labels in pods):
            problems.append(f"{where}: its selector {selector} picks no pod the plan runs")
        if obj["kind"] == "ScaledObject":
            target = spec["scaleTargetRef"]
            if (target.get("kind", "Deployment"), ns, target["name"]) not in have:
                problems.append(f"{where}: scales {target['name']}, which the plan does not create")
        if obj["kind"] in ("RoleBinding", "ClusterRoleBinding"):
            role = obj["roleRef"]
            role_ns = ns if role["kind"] == "Role" else None
            if (role["kind"], role_ns, role["name"]) not in have and not role["name"].startswith("system:"):
                problems.append(f"{where}: binds {role['kind']} {role['name']}, which the plan does not create")
    return problems
