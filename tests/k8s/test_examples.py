"""Examples of the workload components with only their required arguments, run under the offline engine.

Each builds on a bare `ClusterTarget` (a kubeconfig context, no pools, no bucket), the least a caller can hand
the workload layer, and its plan must pass every mandatory policy.
"""

from __future__ import annotations

import pulumi_kubernetes as k8s

from inferstack import ClusterTarget, EnvironmentSpec, InferenceService, ModelSpec, Workload
from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.policy_check import evaluate, mandatory

TINY = "hf://Qwen/Qwen2.5-0.5B-Instruct@7ae557604adf67be50417f59c2c2f167def9a775"


def bare_target() -> ClusterTarget:
    """The smallest target: a provider for a kubeconfig context, no GPU pools, no bucket."""
    return ClusterTarget(provider=k8s.Provider("kind", context="kind-inferstack"), pools={}, needs_device_plugin=False)


def test_inference_service_example() -> None:
    def program() -> None:
        InferenceService("tiny", "tiny", ModelSpec(source=TINY), bare_target())

    plan = run_offline(program, stack="example")
    (deployment,) = plan.of_type("kubernetes:apps/v1:Deployment")
    assert deployment.inputs["metadata"]["namespace"] == "llm-tiny"
    # No bucket: the pod fills its own cache volume from the hub at the pinned revision.
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["fill-model-cache"]
    assert len(plan.of_type("kubernetes:core/v1:PersistentVolumeClaim")) == 1
    assert mandatory(evaluate(plan)) == []


def test_workload_example() -> None:
    spec = EnvironmentSpec.model_validate({"name": "demo", "cloud": "kubernetes", "models": {"tiny": {"source": TINY}}})
    plan: Plan = run_offline(lambda: Workload("demo-workload", spec, bare_target()) and None, stack="example")
    charts = sorted(release.inputs["chart"] for release in plan.of_type("kubernetes:helm.sh/v3:Release"))
    # No pools and no device plugin wanted: only the metrics stack and the autoscaler.
    assert charts == ["keda", "kube-prometheus-stack"]
    assert [r.name for r in plan.of_type("inferstack:index:InferenceService")] == ["demo-workload-tiny"]
    assert not plan.of_type("inferstack:index:ModelStaging")
    assert mandatory(evaluate(plan)) == []
