"""The hardening fields of issue 14.6 in a stack file: a year of logs in production, GCP-only cluster fields, and
Google Groups for RBAC reaching the GKE cluster."""

from __future__ import annotations

import pytest

from inferstack.gcp.environment import GcpEnvironment
from inferstack.gcp.plan.cluster import binary_authorization, plan_cluster
from inferstack.infra.offline.engine import run_offline
from inferstack.planning.defaults import log_retention_days
from inferstack.validation import parse_environment
from tests.validation.test_limits import document, problems


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_production_refuses_less_than_a_year_of_logs_and_defaults_to_one(stack: str) -> None:
    doc = document(stack)
    assert log_retention_days(parse_environment(doc, "prod")) == 365
    doc["cluster"]["log_retention_days"] = 90
    assert problems(doc) == [
        "environment.cluster.log_retention_days: a production stack keeps its logs at least 365 days (got 90) — "
        "use 365 or more, or leave it out (the production default is 365)"
    ]


def test_development_keeps_ninety_days_unless_told() -> None:
    doc = document("aws-dev")
    assert log_retention_days(parse_environment(doc, "dev")) == 90
    doc["cluster"]["log_retention_days"] = 30
    assert log_retention_days(parse_environment(doc, "dev")) == 30


@pytest.mark.parametrize("field", ["binary_authorization", "rbac_group_domain"])
def test_gke_only_fields_are_refused_on_aws(field: str) -> None:
    doc = document("aws-dev")
    doc["cluster"][field] = True if field == "binary_authorization" else "example.com"
    assert problems(doc) == [f"environment.cluster.{field}: applies to GCP only (cloud is aws) — remove it"]


def test_a_domain_must_look_like_one() -> None:
    doc = document("gcp-dev")
    doc["cluster"]["rbac_group_domain"] = "gke-security-groups@example.com"
    (problem,) = problems(doc)
    assert problem.startswith("environment.cluster.rbac_group_domain:")


def test_binary_authorization_follows_production_unless_set() -> None:
    dev, prod = document("gcp-dev"), document("gcp-prod")
    assert not binary_authorization(parse_environment(dev, "dev"))
    assert binary_authorization(parse_environment(prod, "prod"))
    dev["cluster"]["binary_authorization"] = True
    assert plan_cluster(parse_environment(dev, "dev")).binary_authorization


def test_google_groups_for_rbac_reach_the_cluster() -> None:
    doc = document("gcp-dev")
    doc["cluster"]["rbac_group_domain"] = "example.com"
    spec = parse_environment(doc, "dev")
    plan = run_offline(lambda: GcpEnvironment(spec.name, spec) and None, stack="dev")
    (cluster,) = plan.of_type("gcp:container/cluster:Cluster")
    assert cluster.inputs["authenticatorGroupsConfig"] == {"securityGroup": "gke-security-groups@example.com"}
