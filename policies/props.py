"""Reading resource properties the way the engine hands them over: camelCase, numbers as floats, maybe absent."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from inferstack.provider_types import K8s
from inferstack.spec.credentials import credential_kind

WORLD = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))

# Names that announce a credential; a literal value under one in plain config is a leak.
SECRET_NAME = re.compile(r"(?i)(token|secret|passw(or)?d|api[_-]?key|private[_-]?key|credential)")
# A name ending like this with an absolute path as its value points at a mounted Secret file (HF_TOKEN_PATH).
FILE_POINTER = re.compile(r"(?i)_(path|file)$")


def looks_like_credential(value: object) -> bool:
    """Whether a value has a credential's shape (the library's one detector, spec/credentials.py)."""
    return credential_kind(str(value)) is not None


def plain_credential(name: object, value: object) -> bool:
    """Whether a name/value pair of plain config holds a credential: by its shape, or by a telling name."""
    if not value:
        return False
    if looks_like_credential(value):
        return True
    points_at_file = bool(FILE_POINTER.search(str(name))) and str(value).startswith("/")
    return bool(SECRET_NAME.search(str(name))) and not points_at_file


def dig(value: Any, *path: str | int) -> Any:
    """Follow keys/indexes through nested props; None as soon as one is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list | tuple) or step >= len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, Mapping):
                return None
            value = value.get(step)
    return value


def as_list(value: Any) -> list[Any]:
    """A list-valued prop as a list (absent or null: empty)."""
    return list(value) if isinstance(value, list | tuple) else []


def opens_to_world(cidrs: Any) -> bool:
    """Whether a list of CIDR strings contains 0.0.0.0/0 or ::/0."""
    for cidr in as_list(cidrs) if not isinstance(cidrs, str) else [cidrs]:
        try:
            if ipaddress.ip_network(str(cidr), strict=False) in WORLD:
                return True
        except ValueError:
            continue
    return False


POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    K8s.DEPLOYMENT: ("spec", "template", "spec"),
    K8s.STATEFUL_SET: ("spec", "template", "spec"),
    K8s.DAEMON_SET: ("spec", "template", "spec"),
    K8s.REPLICA_SET: ("spec", "template", "spec"),
    K8s.JOB: ("spec", "template", "spec"),
    K8s.CRON_JOB: ("spec", "jobTemplate", "spec", "template", "spec"),
    K8s.POD: ("spec",),
}


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec inside a workload resource, or None for other types."""
    path = POD_SPEC_PATHS.get(resource_type)
    spec = dig(props, *path) if path else None
    return spec if isinstance(spec, Mapping) else None


def containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every container of a pod spec, init containers included, with its kind."""
    for kind in ("initContainers", "containers"):
        for container in as_list(spec.get(kind)):
            if isinstance(container, Mapping):
                yield kind, container


def image_is_pinned(image: Any) -> bool:
    """A digest, or a tag other than latest (the registry's port colon is not a tag)."""
    if not isinstance(image, str) or not image:
        return False
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def gpu_request(container: Mapping[str, Any]) -> float:
    """How many nvidia.com/gpu a container asks for (limits win, as Kubernetes requires them equal)."""
    for section in ("limits", "requests"):
        value = dig(container, "resources", section, "nvidia.com/gpu")
        if value is not None:
            try:
                return float(value)
            except (TypeError, ValueError):
                return 0.0
    return 0.0


@dataclass(frozen=True)
class Planned:
    """A PolicyResource or ResourceValidationArgs seen as a planned resource (type, name, inputs), the protocol
    the planning readers and the cost model take, so rules and `inferstack cost` read resources one way."""

    type: str
    name: str
    inputs: Mapping[str, Any]


def planned(resource: Any) -> Planned:
    """A policy resource (or a resource rule's arguments) as a planned resource."""
    return Planned(resource.resource_type, resource.name, resource.props)
