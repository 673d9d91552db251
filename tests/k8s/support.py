"""Shared pieces of the workload-layer tests: a fake ClusterTarget and specs built in code."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from inferstack.spec.models import ModelSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_KEY, POOL_LABEL, ClusterTarget, EgressRule, Taint, TargetPool

QWEN_7B = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"


def l4_pool(name: str = "l4", gpus_per_node: int = 1) -> TargetPool:
    """A pool like g6.xlarge/g6.12xlarge nodes."""
    return TargetPool(
        name=name,
        gpu="nvidia-l4",
        gpus_per_node=gpus_per_node,
        vcpus=4 * gpus_per_node if gpus_per_node > 1 else 4,
        memory_gib=16.0 * gpus_per_node,
        labels={POOL_LABEL: name, GPU_LABEL: "nvidia-l4"},
        taints=(Taint(GPU_TAINT_KEY, "true"),),
    )


def fake_target(*, bucket: bool = True, pools: dict[str, TargetPool] | None = None) -> ClusterTarget:
    """A target as a cloud layer would fill it, built from plain values (call inside an offline program)."""
    provider = k8s.Provider("fake-k8s", context="fake")
    return ClusterTarget(
        provider=provider,
        pools=pools if pools is not None else {"l4": l4_pool()},
        needs_device_plugin=True,
        model_store_uri=pulumi.Output.from_input("s3://dev-models") if bucket else None,
        reader_annotations={
            "chat": pulumi.Output.from_input({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/chat-read"})
        },
        writer_annotations=pulumi.Output.from_input(
            {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/stager"}
        ),
        internal_lb_annotations={"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
        workload_egress=(EgressRule("169.254.169.254/32", 80),),
    )


def chat_model(**changes: object) -> ModelSpec:
    """A 7B model on the L4 pool with an API key, a hub token and an internal load balancer."""
    data: dict[str, object] = {
        "source": QWEN_7B,
        "pool": "l4",
        "replicas": {"min": 0, "max": 3},
        "max_model_len": 8192,
        "api_key_secret": "chatApiKey",
        "hub_token_secret": "hubToken",
        "load_balancer": {"internal": True, "source_ranges": ["10.40.0.0/16"]},
        "autoscale": {"queue_depth": 4, "kv_cache_utilization": 0.8},
    }
    data.update(changes)
    return ModelSpec.model_validate(data)
