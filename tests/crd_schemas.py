"""The vendored CRD schemas (tests/crds/*.json, each with its source and version) and a strict validator.

The API server prunes fields a structural schema does not name; a strict check here makes such a field (a typo,
a field of another version) an error instead of a silently dropped setting. Checked: every custom resource in the
shipped stacks' manifests (tests/k8s/test_stacks.py): KEDA's ScaledObject, the Prometheus operator's PodMonitor and
PrometheusRule, and Karpenter's v1 NodePool and EC2NodeClass (tests/aws/test_karpenter.py too). CEL rules
(x-kubernetes-validations) are not evaluated here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CRDS = Path(__file__).resolve().parent / "crds"


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {key: _strict(value) for key, value in schema.items()}
        closed = "properties" in out and "additionalProperties" not in out
        if closed and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def crd_files() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the vendored file (source, as_of, openAPIV3Schema)."""
    files = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CRDS.glob("*.json"))]
    return {(data["apiVersion"], data["kind"]): data for data in files}


@cache
def _validator(api_version: str, kind: str) -> jsonschema.Draft7Validator:
    schema = _strict(crd_files()[(api_version, kind)]["openAPIV3Schema"])
    # metadata is validated by the API server itself; the CRD schema only says `type: object`.
    schema["properties"]["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(schema)


def crd_errors(doc: dict[str, Any]) -> list[str]:
    """Every schema error of a custom resource, as `path: message`; a kind with no vendored schema is one."""
    key = (doc["apiVersion"], doc["kind"])
    if key not in crd_files():
        return [f"no vendored CRD schema for {key}: add it under tests/crds/"]
    errors = _validator(*key).iter_errors(doc)
    return [f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}" for error in errors]
