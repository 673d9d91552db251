"""The shipped GitHub Actions workflows validate against the GitHub workflow JSON Schema, offline."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from inferstack.planning.defaults import private_api_endpoint
from inferstack.validation import load_stack_file
from tests.conftest import REPO, shipped_stacks

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
SCHEMA = json.loads(
    resources.files("check_jsonschema").joinpath("builtin_schemas", "vendor", "github-workflows.json").read_text()
)


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as the string "on".
    data = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


def test_there_are_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"pull-request.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_matches_the_schema(path: Path) -> None:
    jsonschema.validate(load(path), SCHEMA)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_stack_jobs_never_overlap_per_stack(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        if "stack" in job.get("strategy", {}).get("matrix", {}) and name != "offline-plan":
            assert job["concurrency"]["group"] == "stack-${{ matrix.stack }}", name
            assert job["concurrency"]["cancel-in-progress"] is False, name


def test_offline_plan_covers_every_shipped_stack() -> None:
    jobs = load(REPO / ".github" / "workflows" / "pull-request.yml")["jobs"]
    assert sorted(jobs["offline-plan"]["strategy"]["matrix"]["stack"]) == sorted(shipped_stacks())


def test_production_waits_for_its_environment() -> None:
    jobs = load(REPO / ".github" / "workflows" / "deploy.yml")["jobs"]
    assert jobs["production"]["environment"] == "production" and jobs["production"]["needs"] == "dev"
    assert all(stack.endswith("-prod") for stack in jobs["production"]["strategy"]["matrix"]["stack"])


def test_the_schema_catches_a_broken_workflow() -> None:
    broken = load(WORKFLOWS[0])
    job = next(iter(broken["jobs"].values()))
    job["step"] = job.pop("steps")  # a typo GitHub would reject
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def cloud_stack_jobs(path: Path) -> dict[str, dict]:
    """Jobs that reach a cloud (OIDC credentials) once per stack of their matrix."""
    jobs = load(path)["jobs"]
    return {
        name: job
        for name, job in jobs.items()
        if "stack" in job.get("strategy", {}).get("matrix", {}) and job.get("permissions", {}).get("id-token")
    }


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_private_endpoint_stacks_run_from_inside_their_vpc(path: Path) -> None:
    # A GitHub-hosted runner cannot reach a private cluster API; such stacks run on a self-hosted runner in the VPC.
    private = {name for name, path in shipped_stacks().items() if private_api_endpoint(load_stack_file(path))}
    assert private >= {"aws-prod", "gcp-prod"}
    jobs = cloud_stack_jobs(path)
    covered = {stack for job in jobs.values() for stack in job["strategy"]["matrix"]["stack"]}
    clouds = {name for name, path in shipped_stacks().items() if load_stack_file(path).cloud != "kubernetes"}
    assert covered == clouds, "every cloud stack"
    for name, job in jobs.items():
        matrix = job["strategy"]["matrix"]
        runs_on = job["runs-on"]
        hosted = isinstance(runs_on, str) and not runs_on.startswith("${{")
        if hosted:
            assert not private & set(matrix["stack"]), f"job {name} deploys a private stack from a hosted runner"
            continue
        assert "self-hosted" in runs_on and "${{ matrix.runner }}" in runs_on, name
        runners = {entry["stack"]: entry["runner"] for entry in matrix.get("include", [])}
        assert set(matrix["stack"]) <= set(runners), f"job {name}: every stack names its runner"
        assert len(set(runners.values())) == len(runners), "one VPC runner label per stack"
        if path.name == "pull-request.yml":
            assert "head.repo.full_name == github.repository" in job["if"], "never fork code on a VPC runner"
