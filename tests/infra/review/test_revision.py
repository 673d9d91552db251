"""`inferstack diff --base REV`: the old side is planned by the revision's own code, in the user's repository."""

from __future__ import annotations

import json
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from inferstack.gcp.project import required_services
from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.infra.offline.plan import Plan
from inferstack.infra.project import open_project
from inferstack.infra.review.diff import diff_plans
from inferstack.infra.review.revision import plan_at_revision
from tests.conftest import REPO, shipped_plan, shipped_stacks

runner = CliRunner()
BEFORE_THE_RENAME = "e017570"  # top-level `components`/`infra` packages, console script `infra.cli:main`


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=inferstack tests", "-c", "user.email=tests@example.invalid"]
    done = subprocess.run(["git", *identity, "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


def worktrees(repo: Path) -> list[str]:
    """Temporary `--base` trees left registered after their folder was deleted: what a missed cleanup leaves.

    Other checkouts of the same repository (and their own test runs' live trees) may come and go meanwhile.
    """
    listed = git(repo, "worktree", "list", "--porcelain").splitlines()
    paths = [line.removeprefix("worktree ") for line in listed if line.startswith("worktree ")]
    return [path for path in paths if "inferstack-base-" in path and not Path(path).exists()]


def has_commit(repo: Path, revision: str) -> bool:
    found = subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{revision}^{{commit}}"], capture_output=True)
    return found.returncode == 0


def team_repo(tmp_path: Path, *, git_init: bool = True) -> Path:
    """A team's repository using an installed inferstack: a Pulumi project in a subfolder, one stack, one commit."""
    repo = tmp_path / "team"
    project = repo / "deploy"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: team\nruntime: python\nstackConfigDir: stacks\n")
    (project / "stacks" / "Pulumi.team.yaml").write_text(shipped_stacks()["local"].read_text())
    if git_init:
        git(repo, "init", "-q")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "first")
    return project


ROLLING_MAX_SURGE = "spec.strategy.rollingUpdate.maxSurge"
ROLLING_MAX_UNAVAILABLE = "spec.strategy.rollingUpdate.maxUnavailable"
CONTAINERS = "spec.template.spec.containers"
OLD_OFFLINE_PROJECT = "inferstack-offline"  # the project the old offline engine made up for every GCP stack


def in_project(plan: Plan, project: str) -> Plan:
    """`plan` as if its engine had answered with `project`: today's engine asks the stack's explicit provider."""
    moved = [
        replace(res, inputs=json.loads(json.dumps(res.inputs).replace(OLD_OFFLINE_PROJECT, project)))
        for res in plan.resources
    ]
    return replace(plan, resources=moved)


NODE_SELECTOR = "spec.template.spec.nodeSelector"
# Per cloud: the node pool type, its fixed-name input (before issue 13.7) and its name-prefix input (since).
PREFIXED_POOLS = {
    "aws": ("aws:eks/nodeGroup:NodeGroup", "nodeGroupName", "nodeGroupNamePrefix"),
    "gcp": ("gcp:container/nodePool:NodePool", "name", "namePrefix"),
}
# Reviewed in-place updates since that commit, by resource type: the paths that may change (never a replacement).
REVIEWED_UPDATES = {
    # Issue 12: on a pool full at replicas.max the engine rolls out by replacing a replica (maxSurge 0,
    # maxUnavailable 1), and its startupProbe follows the one start-up model. Issue 14: the engine's environment.
    # Issue 14: a pool-less (CPU) engine also selects the nodes' architecture.
    # Issue 17 (GKE): a ComputeClass pool's pods also tolerate the class's taint (the selector names the class).
    "kubernetes:apps/v1:Deployment": {
        ROLLING_MAX_SURGE,
        ROLLING_MAX_UNAVAILABLE,
        CONTAINERS,
        NODE_SELECTOR,
        f"{NODE_SELECTOR}.cloud.google.com/compute-class",
        "spec.template.spec.tolerations",
    },
    # Issue 14: the VPC CNI runs its network policy agent (configurationValues); Kubernetes 1.33 left standard
    # support, so clusters, add-on builds and the autoscaler chart move to 1.35 (the spec's new fields show in the
    # environment component's inputs).
    "aws:eks/addon:Addon": {"configurationValues", "addonVersion"},
    "aws:eks/cluster:Cluster": {"version"},
    # Issue 14.3: GKE's DCGM package joins the monitoring components (the provider updates monitoring_config in
    # place). The new nodeConfig (ForceNew) is not here: ignoreChanges keeps it from existing clusters.
    # Issue 14.6: intranode visibility and Binary Authorization are updated in place (terraform-provider-google
    # resource_container_cluster.go: neither is ForceNew; UpdateCluster sets DesiredIntraNodeVisibilityConfig and
    # the binary authorization config). Enabling intranode visibility restarts the nodes' networking (GKE docs).
    "gcp:container/cluster:Cluster": {
        "minMasterVersion",
        "monitoringConfig.enableComponents",
        "binaryAuthorization",
        "enableIntranodeVisibility",
        # Issue 17 (GKE ComputeClasses): node auto-provisioning and its limits, updated in place (cluster_autoscaling
        # is not ForceNew in terraform-provider-google resource_container_cluster.go; UpdateCluster sets
        # DesiredClusterAutoscaling).
        "clusterAutoscaling",
    },
    # Issue 14.6: every key gets an explicit policy (PutKeyPolicy, in place); log groups get the logs key
    # (kms_key_id is not ForceNew: terraform-provider-aws logs/group.go calls AssociateKmsKey on update).
    "aws:kms/key:Key": {"policy"},
    "aws:cloudwatch/logGroup:LogGroup": {"kmsKeyId"},
    # Issue 18: KEDA's operator metrics are scraped (values.prometheus); its ScaledObjects hold a fallback.
    "kubernetes:helm.sh/v3:Release": {"version", "values.image.tag", "values.prometheus"},
    # Issue 18.4: its scale-in waits follow the planned start (cooldownPeriod, the HPA's scale-down window).
    "kubernetes:keda.sh/v1alpha1:ScaledObject": {
        "spec.fallback",
        "spec.cooldownPeriod",
        "spec.advanced",
        # Issue 16.3: gcp-dev's chat sleeps at zero (min 0) and listens to the HTTP add-on's scaler (a new trigger).
        "spec.minReplicaCount",
        "spec.triggers",
    },
    # Issue 16.3: a sleeping model's engine policy admits the KEDA HTTP interceptor (patched in place).
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": {"spec.ingress"},
    # Issue 14.3: on GKE the add-on list loses the DCGM exporter (a component input: nothing is replaced).
    "inferstack:index:ClusterAddons": {"addons"},
    "inferstack:index:LlmEnvironment": {
        "spec.cluster.kubernetes_version",
        "spec.cluster.upgrade_policy",
        "spec.cluster.architecture",
        # Issue 13.8: the acknowledgement field, recorded with the rest of the spec.
        "spec.model_store.unprotected_in_production",
        # Issue 14.5: which files staging copies (a model's allow/deny globs), recorded with the rest of the spec.
        "spec.models.chat.staging",
        "spec.models.tiny.staging",
        # Issue 14.6: the GKE-only hardening fields, and log retention whose default now depends on production
        # (recorded as null, resolved to the same 90 days outside production).
        "spec.cluster.binary_authorization",
        "spec.cluster.rbac_group_domain",
        "spec.cluster.log_retention_days",
        # Issue 15: the model's KV-cache dtype (auto), recorded with the rest of the spec.
        "spec.models.chat.kv_cache_dtype",
        # Issue 14.3: the Cloud KMS key ring generation (1, the ring every existing stack has).
        "spec.cluster.key_ring_generation",
        # Issue 18: the monitoring section.
        "spec.monitoring",
        # Issue 18.4: each pool's cold_start section (all off: no node pool or launch template changes).
        "spec.node_pools.l4.cold_start",
        "spec.node_pools.h100.cold_start",
        # Issue 17.4: described GPU nodes (null on a cloud) and the existing-cluster device plugin switch (false),
        # recorded with the rest of the spec; nothing a cloud stack plans changes.
        "spec.cluster.device_plugin",
        "spec.node_pools.l4.existing",
        "spec.node_pools.h100.existing",
        # Issue 17.3: capacity preferences, reservations and on_demand_base, recorded with the rest of the spec.
        "spec.models.chat.replicas.on_demand_base",
        "spec.models.tiny.replicas.on_demand_base",
        # Issue 16.3 and 16.4: wake (true), adapters ({}) and lora (null), recorded with the rest of the spec; gcp-dev's
        # chat now sleeps at zero (replicas.min 0).
        "spec.models.chat.replicas.wake",
        "spec.models.tiny.replicas.wake",
        "spec.models.chat.replicas.min",
        "spec.models.chat.adapters",
        "spec.models.tiny.adapters",
        "spec.models.chat.lora",
        "spec.models.tiny.lora",
        "spec.node_pools.l4.capacity",
        "spec.node_pools.l4.reservations",
        "spec.node_pools.h100.capacity",
        "spec.node_pools.h100.reservations",
        # Issue 17 (GKE): the provisioner that creates GPU nodes and the per-pool flex-start switch.
        "spec.cluster.provisioner",
        "spec.node_pools.l4.flex_start",
        "spec.node_pools.h100.flex_start",
        # Issue 16: the gateway section (off in one-model stacks) and each model's route (null), recorded with the
        # rest of the spec; a stack without a gateway plans nothing new.
        "spec.gateway",
        "spec.models.chat.route",
        "spec.models.tiny.route",
    },
    # Issue 14.5 and 15: the model component records its staging globs and KV-cache dtype too.
    # Issue 17.3: the model's on_demand_base (0), recorded with the rest of its spec.
    "inferstack:index:InferenceService": {
        "spec.staging",
        "spec.kv_cache_dtype",
        "spec.monitoring",
        "spec.replicas.on_demand_base",
        # Issue 16: the model's gateway route (null), recorded with the rest of its spec.
        "spec.route",
        # Issue 16.3 and 16.4: the model's wake switch, adapters and LoRA slots (and gcp-dev's chat at min 0).
        "spec.replicas.wake",
        "spec.replicas.min",
        "spec.adapters",
        "spec.lora",
    },
}
# Reviewed replacements, by resource type: the paths whose change replaces it, and why that loses nothing.
REVIEWED_REPLACEMENTS = {
    # Issue 14.5: a staging Job's pod template is immutable, so its new file rule (STAGE_ALLOW/STAGE_DENY in the
    # container env) and its size-derived deadline re-create it. The new Job finds the revision's marker in the
    # bucket and exits at once: nothing is copied again and no object is deleted (duplicates staged before stay).
    "kubernetes:batch/v1:Job": {"spec.activeDeadlineSeconds", "spec.template.spec.containers"},
}


# Reviewed additions and removals since that commit, by (type, name suffix), with the reason for each.
REVIEWED_ADDS = {
    # Issue 14.6: the customer key (and its alias) the CloudWatch log groups are encrypted with.
    ("aws:kms/key:Key", "-logs-key"),
    ("aws:kms/alias:Alias", "-logs-key"),
    # Issue 14.3: the control plane reaches KEDA's metrics API (6443) and webhooks (9443) on private GKE nodes.
    ("gcp:compute/firewall:Firewall", "-gke-allow-control-plane-webhooks"),
    # Issue 14.3: the project APIs the environment needs, enabled (never disabled on destroy) through a second
    # provider, so that the environment's provider, and everything using it, waits for them.
    *(
        ("gcp:projects/service:Service", f"-api-{service.split('.', 1)[0]}")
        for service in required_services(binary_authorization=True)
    ),
    ("pulumi:providers:gcp", "-gcp-apis"),
    # Issue 18: dashboards, alert rules and smoke tests (with the smoke test's NetworkPolicy), of any name.
    ("inferstack:index:Monitoring", ""),
    ("kubernetes:core/v1:ConfigMap", ""),
    ("kubernetes:monitoring.coreos.com/v1:PrometheusRule", ""),
    ("kubernetes:batch/v1:Job", ""),
    ("kubernetes:networking.k8s.io/v1:NetworkPolicy", ""),
    # Issue 17 (GKE): gcp-dev's pool becomes a ComputeClass GKE auto-creates its nodes from.
    ("inferstack:index:GkeComputeClass", ""),
    ("kubernetes:cloud.google.com/v1:ComputeClass", ""),
    # Issue 18 follow-up: EKS has no default StorageClass; the encrypted gp3 class Prometheus's volume names.
    ("kubernetes:storage.k8s.io/v1:StorageClass", "-inferstack-gp3-storageclass"),
    # Issue 16.3: a model at replicas.min 0 wakes on a request: the KEDA HTTP add-on, the model's InterceptorRoute and
    # its wake Service (an ExternalName for the interceptor).
    ("kubernetes:helm.sh/v3:Release", "-workload-addons-keda-add-ons-http"),
    ("kubernetes:http.keda.sh/v1beta1:InterceptorRoute", "-interceptorroute"),
    ("kubernetes:core/v1:Service", "-wake-service"),
}
REVIEWED_REMOVALS = {
    # Issue 14.3: the DCGM exporter chart crash-loops on GKE COS nodes; GKE's managed DCGM package replaces it.
    ("kubernetes:helm.sh/v3:Release", "-workload-addons-dcgm-exporter"),
    # Issue 17 (GKE): with cluster.provisioner compute_class the GPU pool's managed node pool goes; GKE auto-creates
    # the nodes from the pool's ComputeClass. Pulumi deletes last: the replicas move to the new nodes first (README).
    ("inferstack:index:GkeGpuNodePool", "-pool-l4"),
    ("gcp:container/nodePool:NodePool", "-pool-l4-pool"),
}


def is_reviewed_change(change_kind: str, identity_type: str, name: str) -> bool:
    """Whether an addition or removal is one of the reviewed ones above."""
    table = REVIEWED_ADDS if change_kind == "add" else REVIEWED_REMOVALS
    return any(identity_type == kind and name.endswith(suffix) for kind, suffix in table)


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-dev"])
def test_the_commit_before_the_rename_plans_the_same_resources(monkeypatch: pytest.MonkeyPatch, stack: str) -> None:
    # The package rename and the product-prefixed component names must not replace or lose anything: every
    # difference against the old code is a rename carried by an alias, with no input changed.
    if not has_commit(REPO, BEFORE_THE_RENAME):
        pytest.skip(f"{BEFORE_THE_RENAME} is not in this clone (shallow?)")
    monkeypatch.chdir(REPO)
    project = open_project(REPO)
    old = plan_at_revision(stack, BEFORE_THE_RENAME, project)
    gcp_project = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"].get("gcp:project")
    if gcp_project:
        old = in_project(old, gcp_project)
    changes = diff_plans(old, shipped_plan(stack))
    # Issue 13.7: node groups and pools are named by a prefix now, yet a deployed one keeps its fixed name through
    # ignore_changes, so upgrading replaces none: the inputs differ, the diff shows only the renames.
    pool_type, fixed, prefixed = PREFIXED_POOLS[stack.split("-")[0]]
    pairs = [(o, n) for o in old.of_type(pool_type) for n in shipped_plan(stack).of_type(pool_type)]
    renamed = [(o, n) for o, n in pairs if o.inputs.get(fixed) == n.inputs[prefixed][:-1]]
    assert renamed and all(prefixed not in o.inputs and fixed not in n.inputs for o, n in renamed), pairs
    moved = [
        c
        for c in changes
        if c.identity.type == pool_type and not is_reviewed_change(c.kind, c.identity.type, c.identity.name)
    ]
    assert all(c.kind == "update" and not c.paths for c in moved), moved
    added = sum(
        change.kind == "add" and is_reviewed_change("add", change.identity.type, change.identity.name)
        for change in changes
    )
    removed = sum(
        change.kind == "remove" and is_reviewed_change("remove", change.identity.type, change.identity.name)
        for change in changes
    )
    assert len(old.resources) + 1 + added - removed == len(shipped_plan(stack).resources), (
        "one explicit cloud provider is added, and the reviewed additions and removals"
    )
    assert changes, "the component renames show up as alias renames"
    for change in changes:
        if change.identity.type.startswith("pulumi:providers:") and change.kind == "add":
            # Reviewed change (issue 12): every cloud resource uses an explicit provider set to the spec's region.
            assert change.identity.type == f"pulumi:providers:{stack.split('-')[0]}", change
            continue
        if change.kind in ("add", "remove") and is_reviewed_change(
            change.kind, change.identity.type, change.identity.name
        ):
            continue
        replaced = REVIEWED_REPLACEMENTS.get(change.identity.type, set())
        if change.kind == "replace" and change.paths and set(change.paths) <= replaced:
            continue
        reviewed = REVIEWED_UPDATES.get(change.identity.type, set())
        if change.paths and set(change.paths) <= reviewed:
            # In place: a component's inputs never replace anything, so "replacement unknown" is an update too.
            assert change.kind.startswith("update"), change
            continue
        assert change.kind == "update" and change.renamed_from is not None and not change.paths, change
    assert worktrees(REPO) == [], "the temporary worktree is removed"


def test_the_cli_diff_against_an_old_revision_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    if not has_commit(REPO, BEFORE_THE_RENAME):
        pytest.skip(f"{BEFORE_THE_RENAME} is not in this clone (shallow?)")
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["diff", "local", "--base", BEFORE_THE_RENAME])
    assert result.exit_code == 0, result.output
    # The changes since: the engine's startupProbe (issue 12: one start-up model) and its environment (issue 14),
    # in place; the spec's new fields in the environment's and the model's component inputs (issues 13.8, 14 and 15);
    # issue 18's ScaledObject fallback and KEDA metrics in place, and 5 additions (monitoring, dashboard, rule, smoke
    # test and its NetworkPolicy).
    assert "Changes: 10" in result.output and "kubernetes:apps/v" in result.output, result.output
    assert "replace" not in result.output.replace("replacement", ""), result.output


def test_a_team_repo_is_planned_at_the_revision_with_its_old_stack_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path)
    stack_file = project / "stacks" / "Pulumi.team.yaml"
    stack_file.write_text(stack_file.read_text().replace("max_model_len: 4096", "max_model_len: 2048"))
    monkeypatch.chdir(tmp_path)  # outside the project: --project names it
    result = runner.invoke(app, ["--project", str(project), "diff", "team", "--base", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "update" in result.output and "Deployment" in result.output
    assert worktrees(project) == []


FAKE_CLI = '''
import json, sys
from pathlib import Path


def main():
    """Writes a one-resource plan, so a test can tell this revision's code planned the old side."""
    args = sys.argv[1:]
    assert args[0] == "plan" and Path("Pulumi.yaml").is_file(), args
    resource = {"urn": "urn:pulumi:team::inferstack::old:index:Marker::marker", "type": "old:index:Marker",
                "name": "marker", "parent": None, "custom": True, "id": "m-1", "inputs": {}}
    plan = {"project": "inferstack", "stack": args[1], "resources": [resource], "outputs": {}}
    Path(args[args.index("--json") + 1]).write_text(json.dumps(plan))
'''


def test_an_inferstack_source_tree_plans_with_its_own_entry_point(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path, git_init=False)
    repo = project.parent
    (repo / "oldinferstack").mkdir()
    (repo / "oldinferstack" / "__init__.py").write_text("")
    (repo / "oldinferstack" / "cli.py").write_text(FAKE_CLI)
    (repo / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "inferstack"
            version = "0.0.1"
            [project.scripts]
            inferstack = "oldinferstack.cli:main"
            [tool.setuptools]
            packages = ["oldinferstack"]
            """
        )
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "old code")
    monkeypatch.chdir(project / "stacks")  # the project is found upwards from here
    result = runner.invoke(app, ["diff", "team", "--base", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "marker" in result.output and "remove" in result.output, result.output
    assert worktrees(repo) == []


def test_a_project_outside_git_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = team_repo(tmp_path, git_init=False)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "team", "--base", "HEAD"])
    assert result.exit_code == EXIT_INVALID
    assert "not inside a git repository" in result.output and "Traceback" not in result.output


def test_an_unknown_revision_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = team_repo(tmp_path)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "team", "--base", "no-such-branch"])
    assert result.exit_code == EXIT_INVALID
    assert "unknown revision 'no-such-branch'" in result.output
    assert worktrees(project) == []


def test_a_revision_that_cannot_be_planned_is_exit_2_and_leaves_no_worktree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path)
    stack_file = project / "stacks" / "Pulumi.team.yaml"
    good = stack_file.read_text()
    stack_file.write_text(good.replace("engine: vllm-cpu", "engine: no-such-engine"))
    git(project, "commit", "-qam", "broken")
    stack_file.write_text(good)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "team", "--base", "HEAD"])
    assert result.exit_code == EXIT_INVALID
    assert "could not plan team at HEAD" in result.output and "engine" in result.output
    assert worktrees(project) == []


def test_a_stack_added_since_the_revision_is_exit_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path)
    (project / "stacks" / "Pulumi.newer.yaml").write_text(shipped_stacks()["local"].read_text())
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "newer", "--base", "HEAD"])
    assert result.exit_code == EXIT_INVALID and "Traceback" not in result.output
    assert "could not plan newer at HEAD" in result.output and "no stack named 'newer'" in result.output
    assert worktrees(project) == []
