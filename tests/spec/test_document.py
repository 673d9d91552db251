"""Reading a stack file and validating its fields: shape errors only, each with its YAML path, none a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inferstack.spec import ModelSpec, SpecError, UnresolvedAutoError, tensor_parallel_of, validate_fields
from inferstack.spec.document import read_stack_document, stack_name_of
from tests.conftest import FIXTURES

SOURCE = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"


def test_invalid_yaml_names_the_line() -> None:
    expected = "line 5, column 1: not valid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow"
    with pytest.raises(SpecError, match=re.escape(expected)):
        read_stack_document(FIXTURES / "Pulumi.broken-yaml.yaml")


def test_missing_config_key() -> None:
    with pytest.raises(SpecError, match="has no inferstack:environment key"):
        read_stack_document(FIXTURES / "Pulumi.no-config.yaml")


def test_stack_name_comes_from_the_file_name() -> None:
    assert stack_name_of(Path("stacks/Pulumi.aws-dev.yaml")) == "aws-dev"
    with pytest.raises(SpecError, match=r"is not named Pulumi.<stack>.yaml"):
        stack_name_of(Path("stacks/aws-dev.yaml"))


def test_fields_only_no_cross_field_rules() -> None:
    # An unknown region is a catalog question: the spec layer accepts any string and leaves it to validation.
    spec = validate_fields({"cloud": "aws", "region": "us-east-9"}, "dev")
    assert (spec.name, spec.region) == ("dev", "us-east-9")


def test_auto_is_kept_as_written_by_the_field_validation() -> None:
    doc = {"cloud": "aws", "models": {"chat": {"source": SOURCE, "tensor_parallel": "auto"}}}
    model = validate_fields(doc, "dev").models["chat"]
    assert model.tensor_parallel == "auto"
    with pytest.raises(UnresolvedAutoError, match="check_spec"):
        tensor_parallel_of(model)
    assert tensor_parallel_of(ModelSpec(source=SOURCE, tensor_parallel=4)) == 4


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "input should be greater than 0 (got 0)"),
        ("many", "input should be a valid integer, unable to parse string as an integer (got 'many')"),
        (2.5, "input should be a valid integer, got a number with a fractional part (got 2.5)"),
    ],
)
def test_a_bad_tensor_parallel_is_one_issue_with_the_integer_message(value: object, message: str) -> None:
    # int | "auto" must not report "should be 'auto'" next to the integer's own message.
    doc = {"cloud": "aws", "models": {"chat": {"source": SOURCE, "tensor_parallel": value}}}
    with pytest.raises(SpecError) as caught:
        validate_fields(doc, "dev")
    (issue,) = caught.value.issues
    assert (issue.path, issue.message) == ("environment.models.chat.tensor_parallel", message)
    assert "or auto" in issue.fix


def test_a_bad_default_name_does_not_hide_the_field_problems() -> None:
    with pytest.raises(SpecError) as caught:
        validate_fields({"cloud": "aws", "node_pools": {"l4": {"gpu": "nvidia-l4", "gpus_per_node": "x"}}}, "Bad_Name")
    assert [issue.path for issue in caught.value.issues] == [
        "environment.name",
        "environment.node_pools.l4.gpus_per_node",
    ]
