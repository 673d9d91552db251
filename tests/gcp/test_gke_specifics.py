"""What a real GKE needs that the mocks cannot show: managed GPU metrics, webhook ports, APIs, the default pool."""

from __future__ import annotations

import json

import pytest

from inferstack.catalog.gke import gke_facts
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.gcp.plan.cluster import binary_authorization
from inferstack.gcp.plan.network import control_plane_ports, gpu_node_tag, system_node_tag
from inferstack.gcp.project import required_services
from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.mock_types import MOCK_PROJECT
from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.k8s.monitoring.component import GPU_METRICS_CLOUD, GPU_METRICS_IN_CLUSTER
from inferstack.provider_types import Gcp, K8s
from tests.conftest import shipped_plan
from tests.gcp.test_environment import STACKS, environment_program, one, planned, stack


@pytest.fixture(params=STACKS)
def name(request: pytest.FixtureRequest) -> str:
    return request.param


def the_cluster(plan: Plan) -> PlannedResource:
    return one(plan, Gcp.GKE_CLUSTER, "-cluster")


def test_gpu_metrics_come_from_gke_and_not_from_the_dcgm_chart(name: str) -> None:
    monitoring = the_cluster(planned(name)).inputs["monitoringConfig"]
    facts = gke_facts().managed_gpu_metrics
    assert facts.monitoring_component in monitoring["enableComponents"]
    assert monitoring["managedPrometheus"]["enabled"] is facts.needs_managed_prometheus
    releases = {res.inputs["name"] for res in shipped_plan(name).of_type(K8s.HELM_RELEASE)}
    assert "dcgm-exporter" not in releases, "the chart crash-loops on COS nodes"
    assert {"kube-prometheus-stack", "keda"} <= releases


def test_the_dcgm_chart_stays_where_the_cluster_has_no_managed_metrics() -> None:
    releases = {res.inputs["name"] for res in shipped_plan("aws-dev").of_type(K8s.HELM_RELEASE)}
    assert "dcgm-exporter" in releases


def test_every_pinned_add_on_port_the_control_plane_calls_is_open(name: str) -> None:
    plan = planned(name)
    spec = stack(name)
    rule = one(plan, Gcp.FIREWALL, "-allow-control-plane-webhooks")
    opened = {str(port) for port in gke_facts().control_plane.open_ports}
    wanted = {str(port) for chart in k8s_addons().charts.values() for port in chart.control_plane_ports}
    (allowed,) = rule.inputs["allows"]
    assert allowed["protocol"] == "tcp"
    assert set(allowed["ports"]) | opened >= wanted
    assert set(allowed["ports"]) == set(control_plane_ports()) == {"6443", "9443"}, "KEDA's metrics API and webhooks"
    assert set(rule.inputs["targetTags"]) == {system_node_tag(spec), gpu_node_tag(spec)}
    # From the control plane's private endpoint only (a PSC cluster has no master CIDR block), never the world.
    (source,) = rule.inputs["sourceRanges"]
    assert source.endswith("/32") and source != "None/32"
    assert rule.options.property_dependencies["sourceRanges"] == (the_cluster(plan).urn,)
    assert rule.inputs["network"] == one(plan, Gcp.NETWORK, "-vpc").id


def test_workloads_wait_for_the_control_plane_rule(name: str) -> None:
    plan = planned(name)
    rule = one(plan, Gcp.FIREWALL, "-allow-control-plane-webhooks")
    (provider,) = [res for res in plan.resources if res.type == "pulumi:providers:kubernetes"]
    assert rule.urn in provider.options.dependencies


def test_the_project_apis_are_enabled_and_never_disabled(name: str) -> None:
    services = planned(name).of_type(Gcp.PROJECT_SERVICE)
    on = binary_authorization(stack(name))
    assert {res.inputs["service"] for res in services} == set(required_services(binary_authorization=on))
    assert {"container.googleapis.com", "compute.googleapis.com", "cloudkms.googleapis.com"} <= set(required_services())
    for res in services:
        assert res.inputs["disableOnDestroy"] is False, res.name
        assert res.inputs["disableDependentServices"] is False, res.name


def test_every_environment_resource_waits_for_the_apis(name: str) -> None:
    plan = planned(name)
    services = {res.urn for res in plan.of_type(Gcp.PROJECT_SERVICE)}
    (gated,) = [res for res in plan.of_type(Gcp.PROVIDER) if res.name.endswith("-gcp")]
    assert services <= set(gated.options.dependencies)
    others = [res for res in plan.resources if res.type.startswith("gcp:") and res.urn not in services]
    assert others and all(str(res.provider).startswith(gated.urn) for res in others)


def test_the_default_pool_runs_as_the_node_identity_without_replacing_old_clusters(name: str) -> None:
    plan = planned(name)
    cluster = the_cluster(plan)
    node_account = one(plan, Gcp.SERVICE_ACCOUNT, "-nodes-account")
    email = f"{node_account.inputs['accountId']}@{MOCK_PROJECT}.iam.gserviceaccount.com"
    assert cluster.inputs["nodeConfig"] == {"serviceAccount": email}
    # node_config is ForceNew on google_container_cluster: a change must never reach an existing cluster.
    assert "nodeConfig" in cluster.options.ignore_changes


def test_a_new_key_ring_generation_gets_fresh_names_under_the_same_logical_names() -> None:
    # Cloud KMS never frees a key ring's name: after a destroy the stack deploys again with the next generation.
    assert gke_facts().key_ring.deletable is False
    spec = stack("gcp-dev")
    again = spec.model_copy(update={"cluster": spec.cluster.model_copy(update={"key_ring_generation": 2})})
    first, second = planned("gcp-dev"), run_offline(environment_program(again), stack="gcp-dev")
    ring, next_ring = one(first, Gcp.KMS_KEY_RING, "-ring"), one(second, Gcp.KMS_KEY_RING, "-ring")
    assert (ring.inputs["name"], next_ring.inputs["name"]) == (spec.name, f"{spec.name}-2")
    assert ring.urn == next_ring.urn
    keys = {res.name: res.inputs["keyRing"] for res in second.of_type(Gcp.KMS_CRYPTO_KEY)}
    assert keys and all(ring_id.endswith(f"/keyRings/{spec.name}-2") for ring_id in keys.values())
    cluster = one(second, Gcp.GKE_CLUSTER, "-cluster")
    assert cluster.inputs["databaseEncryption"]["keyName"].startswith(next_ring.id)


@pytest.mark.parametrize("stack_name", ["aws-dev", "aws-prod", "gcp-dev", "gcp-prod"])
def test_no_shipped_query_reads_dcgm_metrics_the_in_cluster_prometheus_never_gets(stack_name: str) -> None:
    # On GKE the managed DCGM package sends GPU metrics to Cloud Monitoring (Managed Service for Prometheus), not
    # to our Prometheus: a GPU rule or dashboard there would stay empty and never fire.
    plan = shipped_plan(stack_name)
    releases = {res.inputs["name"] for res in plan.of_type(K8s.HELM_RELEASE)}
    scraped = "dcgm-exporter" in releases
    texts = [json.dumps(res.inputs) for res in plan.of_type(K8s.PROMETHEUS_RULE) + plan.of_type(K8s.CONFIG_MAP)]
    assert any("DCGM_FI_" in text for text in texts) is scraped
    (monitoring,) = [res for res in plan.resources if res.type == "inferstack:index:Monitoring"]
    expected = GPU_METRICS_IN_CLUSTER if scraped else GPU_METRICS_CLOUD
    assert monitoring.inputs["gpuMetrics"] == expected
    # The weight-staging alert reads kube-state-metrics, which the in-cluster Prometheus does have.
    assert any("ModelStagingFailed" in text for text in texts)
    if not scraped:
        assert gke_facts().managed_gpu_metrics.in_cluster_prometheus is False
        enabled = the_cluster(plan).inputs["monitoringConfig"]["enableComponents"]
        assert gke_facts().managed_gpu_metrics.monitoring_component in enabled
