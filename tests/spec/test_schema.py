"""The shipped JSON Schema: every shipped stack file matches it, and it knows `auto` without any patching."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from inferstack.spec import CONFIG_KEY
from tests.conftest import shipped_stacks

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "components" / "spec" / "stack.schema.json").read_text())
STACKS = shipped_stacks()
SOURCE = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"


def stack_file(tensor_parallel: object) -> dict[str, Any]:
    model = {"source": SOURCE, "pool": "gpu", "tensor_parallel": tensor_parallel}
    return {
        "config": {
            CONFIG_KEY: {
                "cloud": "aws",
                "region": "us-east-1",
                "node_pools": {"gpu": {"gpu": "auto"}},
                "models": {"chat": model},
            }
        }
    }


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_shipped_stack_files_match_the_schema(stack: str) -> None:
    jsonschema.validate(yaml.safe_load(STACKS[stack].read_text()), SCHEMA)


@pytest.mark.parametrize("value", ["auto", 1, 8])
def test_tensor_parallel_is_a_positive_number_or_auto(value: object) -> None:
    jsonschema.validate(stack_file(value), SCHEMA)


@pytest.mark.parametrize("value", ["many", "Auto", 0, -2, 1.5, None])
def test_other_tensor_parallel_values_are_rejected(value: object) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(stack_file(value), SCHEMA)


def test_a_typo_in_a_stack_file_is_rejected() -> None:
    document = copy.deepcopy(yaml.safe_load(STACKS[sorted(STACKS)[0]].read_text()))
    document["config"][CONFIG_KEY]["regoin"] = "us-east-1"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)
