"""The load pipeline: fields, then `auto`, then the cross-field rules, for documents and for specs built in code."""

from __future__ import annotations

import pytest

from inferstack import catalog
from inferstack.spec import EnvironmentSpec, ModelSpec, NodePoolSpec, SpecError, tensor_parallel_of
from inferstack.validation import check_spec, parse_environment, parse_environment_explained

SOURCE = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"


def code_spec(gpu: str, tensor_parallel: int | str, gpus_per_node: int = 1) -> EnvironmentSpec:
    model = ModelSpec.model_validate({"source": SOURCE, "pool": "gpu", "tensor_parallel": tensor_parallel})
    return EnvironmentSpec(
        name="dev",
        cloud="aws",
        region="us-east-1",
        node_pools={"gpu": NodePoolSpec(gpu=gpu, gpus_per_node=gpus_per_node)},
        models={"chat": model},
    )


def test_check_spec_chooses_auto_in_a_spec_built_in_code() -> None:
    checked = check_spec(code_spec("auto", "auto"))
    pool, model = checked.node_pools["gpu"], checked.models["chat"]
    assert pool.gpu in catalog.gpus() and pool.instance_type is not None
    assert pool.gpus_per_node % tensor_parallel_of(model) == 0


def test_check_spec_matches_loading_the_same_document() -> None:
    spec = code_spec("nvidia-l4", "auto", gpus_per_node=4)
    document = spec.model_dump(mode="json", exclude_unset=True)
    assert check_spec(spec) == parse_environment(document, "dev")


def test_a_spec_without_auto_comes_back_as_the_same_object() -> None:
    spec = code_spec("nvidia-l4", 1)
    assert check_spec(spec) is spec


def test_cpu_models_without_a_pool_run_auto_on_one_device() -> None:
    # Nothing to choose between on cloud: kubernetes: the CPU engine runs on one device, as before auto was typed.
    document = {
        "cloud": "kubernetes",
        "model_store": {"bucket": False},
        "models": {"tiny": {"source": SOURCE, "engine": "vllm-cpu", "tensor_parallel": "auto"}},
    }
    spec, choices = parse_environment_explained(document, "local")
    assert spec.models["tiny"].tensor_parallel == 1 and choices == []


def test_auto_errors_and_check_errors_come_together() -> None:
    document = code_spec("auto", "auto").model_dump(mode="json", exclude_unset=True)
    document["models"]["other"] = {"source": SOURCE, "pool": "gpu", "replicas": {"min": 3, "max": 2}}
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "dev")
    paths = {issue.path for issue in caught.value.issues}
    assert {"environment.node_pools.gpu.gpu", "environment.models.other.replicas.max"} <= paths
