"""Every spec field documents itself and its default; models are strict and immutable."""

from __future__ import annotations

import pydantic
import pytest
from pydantic import BaseModel

from inferstack.spec.issues import model_in
from inferstack.spec.models import EnvironmentSpec


def all_models(root: type[BaseModel] = EnvironmentSpec) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            inner = model_in(field.annotation)
            if inner is not None:
                pending.append(inner)
    return seen


MODELS = all_models()
FIELDS = [(model, name) for model in MODELS for name in model.model_fields]


def test_walks_every_nested_model() -> None:
    names = {model.__name__ for model in MODELS}
    assert {"NetworkSpec", "NodePoolSpec", "ModelSpec", "ReplicasSpec", "SystemPoolSpec"} <= names


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=[f"{m.__name__}.{n}" for m, n in FIELDS])
def test_field_has_one_line_description_naming_its_default(model: type[BaseModel], name: str) -> None:
    description = model.model_fields[name].description or ""
    assert description, f"{model.__name__}.{name} has no description"
    assert "\n" not in description
    assert "default:" in description or "required" in description, (
        f"{model.__name__}.{name}: the description must name the default ('default: …') or say 'required'"
    )


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_models_forbid_extra_fields_and_are_frozen(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True
    assert model.__doc__, f"{model.__name__} needs a docstring"


def test_spec_is_immutable() -> None:
    spec = EnvironmentSpec(name="dev", cloud="kubernetes")
    with pytest.raises(pydantic.ValidationError):
        spec.cloud = "aws"  # type: ignore[misc]
