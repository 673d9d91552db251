"""GPU models on described nodes: what the plan holds, what the pods select and tolerate, what it costs."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from inferstack.catalog import gpus
from inferstack.catalog.gpu_nodes import gpu_nodes
from inferstack.infra.offline.plan import Plan
from inferstack.infra.offline.stacks import plan_spec
from inferstack.infra.review.cost import stack_cost
from inferstack.k8s.placement import PodShape
from inferstack.planning.existing_nodes import described_pool
from inferstack.spec.existing_nodes import LABEL_VALUE
from inferstack.validation import parse_environment
from tests.conftest import shipped_plan, shipped_stacks

RELEASE = "kubernetes:helm.sh/v3:Release"


def onprem(**changes: Any) -> dict[str, Any]:
    """The shipped onprem stack's environment document, with pool `l40s` fields changed."""
    data = yaml.safe_load(shipped_stacks()["onprem"].read_text(encoding="utf-8"))
    doc = copy.deepcopy(data["config"]["inferstack:environment"])
    doc["node_pools"]["l40s"]["existing"].update(changes)
    return doc


def plan_of(doc: dict[str, Any]) -> Plan:
    return plan_spec("onprem", parse_environment(doc, "onprem"), {})


def pod_of(plan: Plan) -> dict[str, Any]:
    (deployment,) = plan.of_type("kubernetes:apps/v1:Deployment")
    return deployment.inputs["spec"]["template"]["spec"]


def test_the_plan_creates_no_cloud_resource_and_no_node() -> None:
    plan = shipped_plan("onprem")
    foreign = [r.type for r in plan.resources if not r.type.startswith(("kubernetes:", "inferstack:", "pulumi:"))]
    assert foreign == []
    # Nothing that makes or changes a node: no Node objects, no autoscaler, no node pools.
    assert not [r for r in plan.resources if "Node" in r.type.split(":")[-1] or "autoscaler" in r.name]
    (provider,) = plan.of_type("pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "onprem"


def test_pods_select_the_gfd_product_tolerate_the_gpu_taint_and_request_gpus() -> None:
    pod = pod_of(shipped_plan("onprem"))
    assert pod["nodeSelector"] == {"nvidia.com/gpu.product": "NVIDIA-L40S"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    (engine,) = pod["containers"]
    assert engine["resources"]["limits"]["nvidia.com/gpu"] == "1" == engine["resources"]["requests"]["nvidia.com/gpu"]
    # Half of a 2-GPU node's CPU and memory, less what the kubelet and DaemonSets keep (k8s/placement.py).
    assert engine["resources"]["limits"]["cpu"] == "22300m" and engine["resources"]["limits"]["memory"] == "116736Mi"


def test_a_described_selector_and_taints_are_rendered_exactly() -> None:
    doc = onprem(
        selector={"example.com/gpu-class": "l40s", "nvidia.com/gpu.present": "true"},
        taints=[{"key": "dedicated", "value": "inference", "effect": "NoExecute"}, {"key": "nvidia.com/gpu"}],
    )
    pod = pod_of(plan_of(doc))
    assert pod["nodeSelector"] == {"example.com/gpu-class": "l40s", "nvidia.com/gpu.present": "true"}
    assert pod["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "inference", "effect": "NoExecute"},
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    ]
    plugin = next(r for r in plan_of(doc).of_type(RELEASE) if r.inputs["chart"] == "nvidia-device-plugin")
    # The device plugin and NFD's workers tolerate every described taint too, whatever its value.
    assert {"key": "dedicated", "operator": "Exists", "effect": "NoExecute"} in plugin.inputs["values"]["tolerations"]
    assert plugin.inputs["values"]["nfd"]["worker"]["tolerations"] == plugin.inputs["values"]["tolerations"]


def test_the_device_plugin_is_installed_only_when_asked() -> None:
    charts = sorted(r.inputs["chart"] for r in shipped_plan("onprem").of_type(RELEASE))
    assert charts == ["keda", "kube-prometheus-stack", "nvidia-device-plugin"]
    doc = onprem()
    del doc["cluster"]["device_plugin"]
    assert sorted(r.inputs["chart"] for r in plan_of(doc).of_type(RELEASE)) == ["keda", "kube-prometheus-stack"]
    # Nor on a laptop cluster with CPU models.
    assert "nvidia-device-plugin" not in {r.inputs["chart"] for r in shipped_plan("local").of_type(RELEASE)}


def test_the_device_plugin_keeps_the_chart_affinity_and_runs_gfd() -> None:
    (plugin,) = [r for r in shipped_plan("onprem").of_type(RELEASE) if r.inputs["chart"] == "nvidia-device-plugin"]
    values = plugin.inputs["values"]
    # The nodes carry no inferstack label: the chart's own affinity (NFD's NVIDIA PCI label) must stay.
    assert "affinity" not in values and "nodeSelector" not in values
    # The default selector is GFD's product label, so GFD runs wherever the plugin is installed here.
    assert values["gfd"] == {"enabled": True}


def test_each_replica_has_its_own_weight_cache() -> None:
    plan = shipped_plan("onprem")
    # A ReadWriteOnce claim attaches to one node; the replicas spread over two.
    assert plan.of_type("kubernetes:core/v1:PersistentVolumeClaim") == []
    volumes = {v["name"]: v for v in pod_of(plan)["volumes"]}
    template = volumes["models"]["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert template["accessModes"] == ["ReadWriteOnce"]
    # Twice the memory of the replica's one L40S (k8s/manifests/pod.py cache_gib).
    assert template["resources"]["requests"]["storage"] == f"{int(-(-2 * gpus()['nvidia-l40s'].memory_gib // 1))}Gi"
    # The CPU engine on a laptop keeps its one shared claim.
    assert len(shipped_plan("local").of_type("kubernetes:core/v1:PersistentVolumeClaim")) == 1


def test_owned_nodes_cost_nothing_and_say_so() -> None:
    spec = parse_environment(onprem(), "onprem")
    report, serving = stack_cost(spec, shipped_plan("onprem").resources)
    (row,) = report.rows
    assert (row.resource, row.quantity_min, row.quantity_max, row.monthly_max) == ("node_pools.l40s", 2, 2, 0.0)
    assert row.item == "2× nvidia-l40s, 48 vCPU, 256 GiB"
    assert any("you own these nodes" in note for note in report.notes)
    assert [s.gpu_usd_per_hour for s in serving] == [0.0]


def test_the_gpu_node_facts_fit_the_spec_and_the_workload() -> None:
    facts = gpu_nodes()
    assert set(facts.products) <= set(gpus()), "products are keyed by GPU catalog key"
    assert all(re.match(LABEL_VALUE, product.label) for product in facts.products.values())
    # The resource the pods request is the one the facts name.
    assert facts.resource.name in PodShape(1000, 1024, 1, 256).resources()["limits"]
    assert (facts.taint.key, facts.taint.effect) == ("nvidia.com/gpu", "NoSchedule")
    assert facts.labels.product.key == "nvidia.com/gpu.product"
    assert (facts.labels.present.key, facts.labels.present.value) == ("nvidia.com/gpu.present", "true")


@pytest.mark.parametrize("gpu", sorted(gpu_nodes().products))
def test_every_recorded_product_is_the_default_selector(gpu: str) -> None:
    doc = onprem()
    doc["node_pools"]["l40s"]["gpu"] = gpu
    doc["models"]["chat"]["source"] = "hf://Qwen/Qwen2.5-0.5B-Instruct@7ae557604adf67be50417f59c2c2f167def9a775"
    doc["models"]["chat"]["max_model_len"] = 4096
    spec = parse_environment(doc, "onprem")
    assert described_pool("l40s", spec.node_pools["l40s"]).labels == {
        "nvidia.com/gpu.product": gpu_nodes().products[gpu].label
    }
