"""Kubernetes manifests from a Plan: every Kubernetes object the program registers, as YAML, one file each.

Objects are rebuilt from the Plan's recorded inputs (the same data the engine registered), so the files are
what `pulumi up` would apply; secret values stay "[secret]". Helm releases are not Kubernetes objects: each
is written under `helm/` as its chart, version, repository, namespace and values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from inferstack.infra.files import replace_folder
from inferstack.infra.offline.plan import Plan, PlannedResource

K8S_PREFIX = "kubernetes:"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
PROVIDER_PREFIX = "pulumi:providers:"


def is_object(resource: PlannedResource) -> bool:
    """Whether a planned resource is a Kubernetes object (not a provider or a Helm release)."""
    return resource.custom and resource.type.startswith(K8S_PREFIX) and resource.type != HELM_RELEASE


def normalize(value: Any) -> Any:
    """Plan values as Kubernetes expects them: integral numbers as ints (the engine records floats), keys sorted."""
    if isinstance(value, dict):
        return {key: normalize(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def manifest(resource: PlannedResource) -> dict[str, Any]:
    """The object as a Kubernetes manifest: apiVersion, kind and metadata first, then the recorded fields."""
    inputs = normalize(resource.inputs)
    head = {key: inputs.pop(key) for key in ("apiVersion", "kind", "metadata")}
    return {**head, **inputs}


def file_name(obj: dict[str, Any]) -> str:
    """`<Kind>-<namespace>-<name>.yaml` (`<Kind>-<name>.yaml` when cluster-scoped)."""
    meta = obj.get("metadata") or {}
    parts = [obj["kind"], meta.get("namespace"), meta["name"]]
    return "-".join(str(part) for part in parts if part) + ".yaml"


def helm_release(resource: PlannedResource) -> dict[str, Any]:
    """A Helm release as a reviewable document."""
    inputs = resource.inputs
    return {
        "release": inputs.get("name", resource.name),
        "chart": inputs.get("chart"),
        "version": inputs.get("version"),
        "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
        "namespace": inputs.get("namespace"),
        "values": normalize(inputs.get("values") or {}),
    }


def plan_manifests(plan: Plan) -> dict[str, dict[str, Any]]:
    """Relative file path -> document, for every Kubernetes object and Helm release of the plan."""
    files: dict[str, dict[str, Any]] = {}
    for resource in plan.resources:
        if is_object(resource):
            obj = manifest(resource)
            files[file_name(obj)] = obj
        elif resource.type == HELM_RELEASE:
            release = helm_release(resource)
            files[f"helm/{release['namespace']}-{release['release']}.yaml"] = release
    return dict(sorted(files.items()))


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (scripts) as literal blocks, so they read as they run."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(document: dict[str, Any]) -> str:
    """Stable YAML: keys in insertion order, block style, scripts as literal blocks."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)


def write_manifests(plan: Plan, out_dir: Path) -> list[Path]:
    """Make `out_dir` hold exactly the plan's manifests, swapped in whole; return the files written.

    Raises OutputError for a path that cannot be written or a non-empty folder inferstack did not write.
    """
    files = {relative: to_yaml(document) for relative, document in plan_manifests(plan).items()}
    return replace_folder(out_dir, files)
