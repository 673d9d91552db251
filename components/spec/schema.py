"""The JSON Schema of a stack file, so editors check `Pulumi.<stack>.yaml` while it is typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inferstack.spec import CONFIG_KEY, EnvironmentSpec

# Shipped beside this module (package data), so editors and tests find it in a wheel as in the source tree.
SCHEMA_PATH = Path(__file__).resolve().parent / "stack.schema.json"


def stack_file_schema() -> dict[str, Any]:
    """A schema for a whole stack file whose `config` holds the environment spec."""
    environment = EnvironmentSpec.model_json_schema(mode="validation")
    definitions = environment.pop("$defs", {})
    # The name defaults to the stack name when the file is loaded, so editors must not demand it.
    environment["required"] = [field for field in environment.get("required", []) if field != "name"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "inferstack stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": {CONFIG_KEY: {"$ref": "#/$defs/EnvironmentSpec"}},
                "required": [CONFIG_KEY],
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
        },
        "required": ["config"],
        "$defs": {**definitions, "EnvironmentSpec": environment},
    }


def schema_text() -> str:
    """The schema as the exact text shipped in the repository."""
    return json.dumps(stack_file_schema(), indent=2, sort_keys=True) + "\n"
