"""Another team's Pulumi program: an inferstack GPU pool on its existing EKS cluster, serving one model.

The team already runs a cluster, a bucket with staged weights and a read-only IRSA role; it imports two
inferstack components instead of writing node groups and Deployments by hand. The README shows this file;
tests run it under the offline engine, from the source tree and from an installed wheel.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from inferstack import ClusterTarget, EksGpuNodePool, EnvironmentSpec, InferenceService, plan_eks_gpu_pool, target_pool

# What the team's own stack already has (in a real program: stack config or a StackReference).
CLUSTER = "search-eks"
NODE_ROLE = "arn:aws:iam::123456789012:role/search-eks-nodes"
SUBNETS = {"use1-az1": "subnet-0a1b2c3d4e5f60001", "use1-az2": "subnet-0a1b2c3d4e5f60002"}
NODE_SECURITY_GROUP = "sg-0a1b2c3d4e5f60003"
WEIGHTS = "s3://search-team-models"
READER_ROLE = "arn:aws:iam::123456789012:role/search-chat-reader"


def program() -> dict[str, Any]:
    """Add the pool and the model; return the outputs the team exports."""
    spec = EnvironmentSpec.model_validate(
        {
            "name": "search",
            "cloud": "aws",
            "region": "us-east-1",
            "zones": list(SUBNETS),
            "node_pools": {"l4": {"gpu": "nvidia-l4", "min": 1, "max": 3}},
            "models": {
                "chat": {
                    "source": "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28",
                    "pool": "l4",
                    "replicas": {"min": 1, "max": 3},
                    "max_model_len": 8192,
                }
            },
        }
    )
    plan = plan_eks_gpu_pool(spec, "l4")
    pool = EksGpuNodePool(
        "search-l4",
        plan,
        cluster_name=CLUSTER,
        node_group_name="search-l4",
        node_role_arn=NODE_ROLE,
        subnet_ids=SUBNETS,
        security_group_ids=[NODE_SECURITY_GROUP],
        tags={"team": "search", "env": "prod"},
    )
    target = ClusterTarget(
        provider=k8s.Provider("search-k8s", context=CLUSTER),
        # The same scheduling decision that labelled and tainted the nodes gives the pods their placement.
        pools={"l4": target_pool(plan.scheduling)},
        needs_device_plugin=True,
        model_store_uri=pulumi.Output.from_input(WEIGHTS),
        reader_annotations={"chat": pulumi.Output.from_input({"eks.amazonaws.com/role-arn": READER_ROLE})},
    )
    chat = InferenceService("search-chat", "chat", spec.models["chat"], target, after=[pool])
    outputs = {"node_group": pool.node_group.node_group_name, "namespace": chat.namespace.id}
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs
