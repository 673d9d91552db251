"""Karpenter as the GPU provisioner (cluster.provisioner: karpenter): controller, IAM, queue, NodePools, checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from inferstack import catalog
from inferstack.aws.plan.karpenter import (
    DO_NOT_DISRUPT,
    KarpenterPoolPlan,
    karpenter_instance_types,
    plan_karpenter_pool,
)
from inferstack.aws.plan.karpenter_policy import INTERRUPTION_EVENTS
from inferstack.catalog.eks import eks_catalog
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.planning.cost import price_plan
from inferstack.planning.plan_readers import node_pool
from inferstack.provider_types import Aws, K8s
from inferstack.spec import EnvironmentSpec, SpecError
from inferstack.target import GPU_TAINT_KEY, POOL_LABEL
from inferstack.validation import parse_environment_checked
from tests.aws.conftest import PlannedStack
from tests.crd_schemas import crd_errors
from tests.goldens import check_golden
from tests.policies.support import findings_of
from tests.validation.test_capacity import seed

ODCR = "cr-0123456789abcdef0"


@pytest.fixture(scope="module")
def prod(aws_stacks: dict[str, PlannedStack]) -> Plan:
    return aws_stacks["aws-prod"].plan


def _one(plan: Plan, type_token: str, name: str) -> PlannedResource:
    (found,) = [r for r in plan.of_type(type_token) if r.name == name]
    return found


def _checked(document: dict[str, Any]) -> EnvironmentSpec:
    return parse_environment_checked(document, "t").spec


def _problems(document: dict[str, Any]) -> list[str]:
    try:
        parse_environment_checked(document, "t")
    except SpecError as error:
        return [str(issue) for issue in error.issues]
    return []


def _karpenter_dev(capacity: list[str] | None = None) -> dict[str, Any]:
    document = seed("aws-dev")
    document.setdefault("cluster", {})["provisioner"] = "karpenter"
    if capacity is not None:
        document["node_pools"]["l4"]["capacity"] = capacity
    return document


def _plan(document: dict[str, Any], key: str = "l4") -> KarpenterPoolPlan:
    return plan_karpenter_pool(_checked(document), key, node_role="t-karpenter-node", tags={"team": "t"})


def test_gpu_pools_are_nodepools_not_node_groups(prod: Plan) -> None:
    groups = [r.name for r in prod.of_type(Aws.EKS_NODE_GROUP)]
    assert groups == ["prod-system-nodes"]
    pools = sorted(r.inputs["metadata"]["name"] for r in prod.of_type(K8s.KARPENTER_NODE_POOL))
    assert pools == ["h100", "h100-on-demand", "l4", "l4-on-demand"]
    classes = sorted(r.inputs["metadata"]["name"] for r in prod.of_type(K8s.KARPENTER_NODE_CLASS))
    assert classes == ["h100", "l4"]


def test_every_karpenter_object_validates_against_its_crd(prod: Plan) -> None:
    objects = [*prod.of_type(K8s.KARPENTER_NODE_POOL), *prod.of_type(K8s.KARPENTER_NODE_CLASS)]
    assert len(objects) == 6
    for res in objects:
        assert crd_errors(res.inputs) == [], res.name
    # The schema is strict: a misspelt field is an error, not a silently pruned setting.
    (pool, *_) = objects
    broken = {**pool.inputs, "spec": {**pool.inputs["spec"], "disruptions": {}}}
    assert crd_errors(broken)


def test_nodepool_requirements_taint_labels_and_limits_match_the_pool(prod: Plan) -> None:
    pool = _one(prod, K8s.KARPENTER_NODE_POOL, "prod-karpenter-l4-nodepool").inputs["spec"]
    template = pool["template"]
    wanted = {r["key"]: r["values"] for r in template["spec"]["requirements"]}
    expected_types = [name for name, _ in catalog.gpu_instance_types("aws", "nvidia-l4", 1, "us-east-1")]
    assert wanted["node.kubernetes.io/instance-type"] == expected_types
    assert all(catalog.instance_types("aws")[t].gpu == "nvidia-l4" for t in expected_types)
    assert wanted["karpenter.sh/capacity-type"] == ["spot", "on-demand"]
    assert wanted["topology.k8s.aws/zone-id"] == ["use1-az1", "use1-az2", "use1-az4"]
    assert template["spec"]["taints"] == [{"key": GPU_TAINT_KEY, "value": "true", "effect": "NoSchedule"}]
    assert template["metadata"]["labels"][POOL_LABEL] == "l4"
    # max 6 nodes of 1 GPU, one of them held by the on-demand base NodePool.
    assert pool["limits"] == {"nvidia.com/gpu": "5"}
    base = _one(prod, K8s.KARPENTER_NODE_POOL, "prod-karpenter-l4-on-demand-nodepool").inputs["spec"]
    assert base["weight"] == 100 and base["limits"] == {"nvidia.com/gpu": "1"}
    assert {r["key"]: r["values"] for r in base["template"]["spec"]["requirements"]}["karpenter.sh/capacity-type"] == [
        "on-demand"
    ]
    assert base["template"]["metadata"] == template["metadata"]


def test_disruption_is_safe_for_llm_pods(prod: Plan) -> None:
    for res in prod.of_type(K8s.KARPENTER_NODE_POOL):
        spec = res.inputs["spec"]
        assert spec["disruption"]["consolidationPolicy"] == "WhenEmpty"
        assert spec["disruption"]["budgets"] == [{"nodes": "1"}]
        # The AMI is pinned: nodes are replaced when the pin moves (drift, budgeted), not by unbudgeted expiry.
        assert spec["template"]["spec"]["expireAfter"] == "Never"
        # Without a grace period, a do-not-disrupt pod would hold an expiring node forever.
        assert spec["template"]["spec"]["terminationGracePeriod"]
    engines = [r for r in prod.of_type(K8s.DEPLOYMENT) if r.inputs["metadata"]["name"].endswith("-engine")]
    assert len(engines) == 2
    for res in engines:
        template = res.inputs["spec"]["template"]
        # Protected for exactly the loading budget after the pod starts: the startupProbe's.
        probe = template["spec"]["containers"][0]["startupProbe"]
        budget = int(probe["failureThreshold"] * probe["periodSeconds"])
        assert template["metadata"]["annotations"] == {DO_NOT_DISRUPT: f"{budget}s"}


def test_node_class_is_hardened(prod: Plan) -> None:
    spec = _one(prod, K8s.KARPENTER_NODE_CLASS, "prod-karpenter-h100-ec2nodeclass").inputs["spec"]
    assert spec["amiSelectorTerms"] == [{"alias": eks_catalog().karpenter_ami.alias}]
    assert "latest" not in spec["amiSelectorTerms"][0]["alias"]
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    (root,) = spec["blockDeviceMappings"]
    assert root["ebs"]["encrypted"] is True and root["ebs"]["volumeType"] == "gp3"
    assert spec["role"] == "prod-karpenter-node"
    assert spec["instanceStorePolicy"] == "RAID0"  # the pool's cold_start.local_nvme
    # cold_start.fast_image_pull: nodeadm's feature gate in a NodeConfig part Karpenter merges with its own; the
    # RAID0 stays Karpenter's field, not a second localStorage document.
    part = spec["userData"].split("Content-Type: application/node.eks.aws\n\n", 1)[1].split("\n--", 1)[0]
    assert yaml.safe_load(part)["spec"] == {"featureGates": {"FastImagePull": True}}
    assert spec["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "prod"}}]
    assert spec["securityGroupSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "prod"}}]


def test_only_private_subnets_and_the_node_group_carry_the_discovery_tag(prod: Plan) -> None:
    for subnet in prod.of_type(Aws.SUBNET):
        tagged = subnet.inputs["tags"].get("karpenter.sh/discovery") == "prod"
        assert tagged == (subnet.inputs["tags"]["inferstack.dev/tier"] == "private"), subnet.name
    groups = {g.name: g.inputs["tags"].get("karpenter.sh/discovery") for g in prod.of_type(Aws.SECURITY_GROUP)}
    assert {name for name, tag in groups.items() if tag} == {"prod-sg-nodes"}


def test_controller_release_runs_on_the_system_pool_with_the_queue(prod: Plan) -> None:
    release = _one(prod, K8s.HELM_RELEASE, "prod-karpenter-release")
    chart = k8s_addons().charts["karpenter"]
    assert release.inputs["chart"] == f"{chart.repository}/karpenter" and release.inputs["version"] == "1.14.1"
    values = release.inputs["values"]
    queue = _one(prod, Aws.SQS_QUEUE, "prod-karpenter-interruptions")
    assert values["settings"]["interruptionQueue"] == queue.inputs["name"] == "prod"
    assert values["settings"]["clusterName"] == "prod"
    assert values["nodeSelector"][POOL_LABEL] == "system"
    role = _one(prod, Aws.IAM_ROLE, "prod-karpenter-controller")
    assert (
        values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
        == f"arn:aws:iam::123456789012:role/{role.id}"
    )
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert any(v == "system:serviceaccount:kube-system:karpenter" for v in json.dumps(statement).split('"'))
    # The CRDs come with the chart: every NodePool and EC2NodeClass waits for the release.
    for res in [*prod.of_type(K8s.KARPENTER_NODE_POOL), *prod.of_type(K8s.KARPENTER_NODE_CLASS)]:
        assert release.urn in res.options.dependencies


def test_interruption_queue_is_encrypted_and_fed_by_every_event(prod: Plan) -> None:
    queue = _one(prod, Aws.SQS_QUEUE, "prod-karpenter-interruptions")
    assert queue.inputs["sqsManagedSseEnabled"] is True
    (policy,) = prod.of_type(Aws.SQS_QUEUE_POLICY)
    document = json.loads(policy.inputs["policy"])
    allow, deny = document["Statement"]
    assert sorted(allow["Principal"]["Service"]) == ["events.amazonaws.com", "sqs.amazonaws.com"]
    assert allow["Action"] == "sqs:SendMessage" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    patterns = [json.loads(r.inputs["eventPattern"]) for r in prod.of_type(Aws.EVENT_RULE)]
    detail_types = {p["detail-type"][0] for p in patterns}
    assert {
        "EC2 Spot Instance Interruption Warning",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "AWS Health Event",
    } <= detail_types
    targets = prod.of_type(Aws.EVENT_TARGET)
    assert len(targets) == len(INTERRUPTION_EVENTS)
    queue_arn = f"arn:aws:sqs:us-east-1:123456789012:{queue.inputs['name']}"
    assert all(t.inputs["arn"] == queue_arn for t in targets)


def test_controller_policy_is_scoped_to_the_cluster(prod: Plan) -> None:
    policy = json.loads(_one(prod, Aws.IAM_ROLE_POLICY, "prod-karpenter-controller").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["AllowPassingInstanceRole"]["Resource"] == "arn:aws:iam::123456789012:role/prod-karpenter-node"
    for sid in ("AllowScopedDeletion", "AllowScopedEC2LaunchTemplateAccessActions"):
        condition = statements[sid]["Condition"]["StringEquals"]
        assert condition == {"aws:ResourceTag/kubernetes.io/cluster/prod": "owned"}
    assert statements["AllowInterruptionQueueActions"]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:prod"
    unscoped = sorted(sid for sid, s in statements.items() if s["Resource"] == "*")
    assert unscoped == ["AllowPricingReadActions", "AllowRegionalReadActions", "AllowUnscopedInstanceProfileListAction"]
    assert statements["AllowRegionalReadActions"]["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}


def test_karpenter_nodes_join_through_their_own_access_entry(prod: Plan) -> None:
    entry = _one(prod, Aws.EKS_ACCESS_ENTRY, "prod-karpenter-node-access")
    assert entry.inputs["type"] == "EC2_LINUX"
    assert entry.inputs["principalArn"] == "arn:aws:iam::123456789012:role/prod-karpenter-node"
    attached = {
        r.inputs["policyArn"].rsplit("/", 1)[-1]
        for r in prod.of_type(Aws.IAM_ROLE_POLICY_ATTACHMENT)
        if r.name.startswith("prod-karpenter-node-role")
    }
    assert attached == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}


def test_managed_pools_stay_the_default() -> None:
    document = seed("aws-dev")
    spec = _checked(document)
    assert spec.cluster.provisioner is None
    from tests.conftest import shipped_plan

    plan = shipped_plan("aws-dev")
    assert not plan.of_type(K8s.KARPENTER_NODE_POOL)
    assert not [r for r in plan.of_type(Aws.SUBNET) if "karpenter.sh/discovery" in r.inputs["tags"]]


def test_reserved_first_selects_the_reservations() -> None:
    document = _karpenter_dev(["reserved", "spot", "on_demand"])
    document["node_pools"]["l4"]["reservations"] = {
        "odcr": {"id": ODCR, "zone": "use1-az1", "count": 1},
        "block": {"tags": {"purpose": "inference"}, "zone": "use1-az1", "count": 1, "capacity_block": True},
    }
    plan = _plan(document)
    (pool,) = plan.node_pools
    wanted = {r["key"]: r["values"] for r in pool["spec"]["template"]["spec"]["requirements"]}
    assert wanted["karpenter.sh/capacity-type"] == ["reserved", "spot", "on-demand"]
    assert plan.node_class["spec"]["capacityReservationSelectorTerms"] == [
        {"tags": {"purpose": "inference"}},
        {"id": ODCR},
    ]
    assert crd_errors(plan.node_class) == [] and crd_errors(pool) == []


def test_a_pool_without_reservations_selects_none_and_spot_only_stays_spot() -> None:
    plan = _plan(_karpenter_dev())
    assert "capacityReservationSelectorTerms" not in plan.node_class["spec"]
    (pool,) = plan.node_pools  # no on_demand_base: no base NodePool
    wanted = {r["key"]: r["values"] for r in pool["spec"]["template"]["spec"]["requirements"]}
    assert wanted["karpenter.sh/capacity-type"] == ["spot"]


def test_instance_types_follow_an_explicit_type() -> None:
    document = _karpenter_dev()
    document["node_pools"]["l4"]["instance_type"] = "g6.2xlarge"
    assert karpenter_instance_types(_checked(document), "l4") == ("g6.2xlarge",)


@pytest.mark.parametrize("capacity", [["on_demand", "spot"], ["spot", "reserved"]])
def test_a_list_out_of_karpenters_order_is_refused(capacity: list[str]) -> None:
    document = _karpenter_dev(capacity)
    if "reserved" in capacity:
        document["node_pools"]["l4"]["reservations"] = {"r": {"id": ODCR, "zone": "use1-az1", "count": 1}}
    problems = [p for p in _problems(document) if p.startswith("environment.node_pools.l4.capacity:")]
    assert problems and "Karpenter takes reserved, then spot, then on-demand" in problems[0]
    # Under managed node groups the same list is a different matter (first type only, with a warning).
    assert not any("Karpenter takes" in p for p in _problems({**document, "cluster": {}}))


def test_a_pool_named_like_another_pools_base_nodepool_is_refused() -> None:
    document = _karpenter_dev()
    document["node_pools"]["l4-on-demand"] = dict(document["node_pools"]["l4"])
    assert any(p.startswith("environment.node_pools.l4-on-demand: the name of pool l4") for p in _problems(document))


def test_the_pools_min_is_not_kept_and_a_warning_says_so() -> None:
    from inferstack.validation.karpenter import warn_karpenter

    document = _karpenter_dev()
    document["node_pools"]["l4"]["min"] = document["node_pools"]["l4"]["max"] = 3
    (warning,) = list(warn_karpenter(_checked(document)))
    assert warning.path == "environment.node_pools.l4.min" and "keeps no minimum" in warning.message


def test_cost_spans_first_preference_to_fallback(prod: Plan) -> None:
    report = price_plan(prod.resources, cloud="aws", region="us-east-1")
    (row,) = [r for r in report.rows if r.resource == "prod-karpenter-l4-nodepool" and r.unit == "node-hour"]
    offer = catalog.instance_types("aws")["g6.xlarge"].regions["us-east-1"]
    assert offer.spot_usd_per_hour is not None
    assert row.quantity_min == 1 and row.quantity_max == 5
    assert row.monthly_min == pytest.approx(offer.spot_usd_per_hour * 730)
    assert row.monthly_max == pytest.approx(offer.on_demand_usd_per_hour * 730 * 5)
    assert row.unit_usd == offer.on_demand_usd_per_hour
    assert "min at spot" in row.note and "max at on-demand" in row.note


def test_reserved_is_priced_at_the_on_demand_rate_and_says_so() -> None:
    document = _karpenter_dev(["reserved", "on_demand"])
    document["node_pools"]["l4"]["reservations"] = {"r": {"id": ODCR, "zone": "use1-az1", "count": 1}}
    pool = _plan(document).node_pools[0]
    res = PlannedResource(
        urn="u", type=K8s.KARPENTER_NODE_POOL, name="t-l4", parent=None, custom=True, id="l4", inputs=pool
    )
    (row, volumes) = price_plan([res], cloud="aws", region="us-east-1").rows
    assert "reserved or Capacity Block rate" in row.warning and "reserved" in row.item
    assert "EC2NodeClass not in the plan" in volumes.warning


@pytest.mark.parametrize(("base", "fails"), [(1, False), (0, True)])
def test_no_spot_in_production_accepts_spot_with_an_on_demand_base(base: int, fails: bool) -> None:
    document = _karpenter_dev(["spot", "on_demand"])
    document["models"]["chat"]["replicas"]["on_demand_base"] = base
    pool = _plan(document).node_pools[0]
    reader = node_pool(
        PlannedResource(urn="u", type=K8s.KARPENTER_NODE_POOL, name="p", parent=None, custom=True, id="p", inputs=pool)
    )
    assert reader is not None and reader.spot and reader.on_demand_base == base
    found = findings_of("no-spot-in-production", [(K8s.KARPENTER_NODE_POOL, "p", pool)], {"production": True})
    assert bool(found) == fails
    assert findings_of("no-spot-in-production", [(K8s.KARPENTER_NODE_POOL, "p", pool)], {}) == []


def test_the_gpu_taint_rule_reads_nodepools() -> None:
    pool = _plan(_karpenter_dev()).node_pools[0]
    assert findings_of("gpu-pool-tainted", [(K8s.KARPENTER_NODE_POOL, "p", pool)], {}) == []
    untainted = {**pool, "spec": {**pool["spec"], "template": {**pool["spec"]["template"]}}}
    untainted["spec"]["template"]["spec"] = {**pool["spec"]["template"]["spec"], "taints": []}
    assert findings_of("gpu-pool-tainted", [(K8s.KARPENTER_NODE_POOL, "p", untainted)], {})


def test_one_pool_matches_golden() -> None:
    document = _karpenter_dev(["spot", "on_demand"])
    document["models"]["chat"]["replicas"]["on_demand_base"] = 1
    plan = _plan(document)
    text = yaml.safe_dump_all([*plan.node_pools, plan.node_class], sort_keys=True)
    check_golden("karpenter_l4.yaml", text, "tests/aws/test_karpenter.py")


def test_the_discovery_tag_counts_against_the_aws_tag_limit() -> None:
    from inferstack.catalog.limits import limits

    document = _karpenter_dev()
    room = limits().aws.tags.max_per_resource - 5
    document["tags"] = {f"k{i}": "v" for i in range(room)}
    assert any(p.startswith("environment.tags: has") and "with the 6 inferstack adds" in p for p in _problems(document))
    document["cluster"].pop("provisioner")
    assert not any(p.startswith("environment.tags:") for p in _problems(document))


# The CRDs' CEL rules (x-kubernetes-validations) that the JSON-schema check cannot evaluate, restated for the objects
# inferstack writes (karpenter.k8s.aws_ec2nodeclasses.yaml and karpenter.sh_nodepools.yaml at chart 1.14.1).
RESTRICTED_TAGS = (
    "eks:eks-cluster-name",
    "kubernetes.io/cluster/",
    "karpenter.sh/nodepool",
    "karpenter.sh/nodeclaim",
    "karpenter.k8s.aws/ec2nodeclass",
)


def test_the_crds_cel_rules_hold_for_the_shipped_objects(prod: Plan) -> None:
    for res in prod.of_type(K8s.KARPENTER_NODE_CLASS):
        spec = res.inputs["spec"]
        assert sum(1 for m in spec["blockDeviceMappings"] if m.get("rootVolume")) == 1
        assert not [key for key in spec["tags"] if key.startswith(RESTRICTED_TAGS) or not key]
        for terms in ("subnetSelectorTerms", "securityGroupSelectorTerms"):
            assert spec[terms] and all(value for term in spec[terms] for value in term["tags"].values())
        assert "amiFamily" not in spec and "instanceProfile" not in spec  # the alias implies the family; role only
    for res in prod.of_type(K8s.KARPENTER_NODE_POOL):
        template = res.inputs["spec"]["template"]
        assert all(r["values"] for r in template["spec"]["requirements"] if r["operator"] == "In")
        assert not [key for key in template["metadata"]["labels"] if key.split("/")[0].endswith("karpenter.sh")]


def test_a_reservation_tag_without_a_value_is_refused() -> None:
    document = _karpenter_dev(["reserved", "spot"])
    document["node_pools"]["l4"]["reservations"] = {"r": {"tags": {"purpose": ""}, "zone": "use1-az1", "count": 1}}
    assert any(
        p.startswith("environment.node_pools.l4.reservations.r.tags.purpose: Karpenter selects")
        for p in _problems(document)
    )
