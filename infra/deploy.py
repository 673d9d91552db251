"""Real deploys through Pulumi's Automation API, with every precondition checked first.

Deciding (what would run, in which order, with which options, and what is missing on this machine) is pure
and unit-tested; only `observe_machine` and `run_steps` touch the outside world, and nothing here ever
pretends a deploy happened.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from inferstack.gcp.plan.keys import key_ring_name
from inferstack.infra.policy_pack import SHIPPED_PACK_DIR, usable_pack_dir
from inferstack.planning.defaults import data_protected, private_api_endpoint
from inferstack.spec import EnvironmentSpec

# The policy pack ships inside the package (inferstack.policies), so it is found where the package is installed;
# the project, by contrast, is wherever the user is (see infra/project.py). run_steps swaps in a usable copy when the
# shipped manifest's virtualenv does not exist (an install from a wheel): see infra/policy_pack.py.
POLICY_PACK_DIR = SHIPPED_PACK_DIR
# The Automation API refuses older CLIs; keep in step with pulumi.automation's own minimum.
MINIMUM_CLI_VERSION = (3, 1, 0)

Action = Literal["preview", "up", "destroy"]
# Whether this machine opens a TCP connection to (host, port); injected so tests never touch the network.
Probe = Callable[[str, int], bool]
API_PORT = 443
PRIVATE_ENDPOINT_HELP = (
    "run the deploy from inside the VPC (a self-hosted CI runner there: see .github/workflows/deploy.yml), "
    "or through a tunnel into it (bastion, AWS SSM port forwarding, GCP IAP): see docs/private-endpoints.md"
)


@dataclass(frozen=True)
class Machine:
    """What this machine offers a deploy: the Pulumi CLI, a backend login and cloud credentials."""

    cli_path: str | None
    cli_version: str | None
    logged_in_as: str | None
    env: Mapping[str, str] = field(default_factory=dict)
    existing_files: frozenset[str] = frozenset()
    kube_contexts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    """One Automation API operation on one stack."""

    action: Action
    stack: str
    policy_packs: tuple[str, ...] = ()
    policy_pack_configs: tuple[str, ...] = ()
    needs_confirmation: bool = False


class DeployRefused(RuntimeError):
    """A deploy cannot or must not run; the message says why and what to do."""


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """The numeric version in `pulumi version` output (e.g. 'v3.150.0' -> (3, 150, 0))."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(part) for part in match.groups()) if match else None


def _has_aws_credentials(machine: Machine) -> bool:
    env_keys = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    files = {str(Path.home() / ".aws" / "credentials"), str(Path.home() / ".aws" / "config")}
    return any(machine.env.get(key) for key in env_keys) or bool(files & machine.existing_files)


def _has_gcp_credentials(machine: Machine) -> bool:
    adc = str(Path.home() / ".config" / "gcloud" / "application_default_credentials.json")
    env_keys = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_CREDENTIALS")
    return any(machine.env.get(key) for key in env_keys) or adc in machine.existing_files


def preflight_problems(spec: EnvironmentSpec, machine: Machine) -> list[str]:
    """Everything that stops a real deploy on this machine, each with the fix; empty when ready."""
    problems: list[str] = []
    if machine.cli_path is None:
        problems.append(
            "the Pulumi CLI is not installed: install it (https://www.pulumi.com/docs/install/), "
            "or run `inferstack plan` to see the plan offline"
        )
        return problems
    version = parse_version(machine.cli_version)
    if version is None or version < MINIMUM_CLI_VERSION:
        wanted = ".".join(map(str, MINIMUM_CLI_VERSION))
        problems.append(f"the Pulumi CLI is too old ({machine.cli_version or 'unknown'}): upgrade to {wanted} or newer")
    if machine.logged_in_as is None:
        problems.append(
            "no Pulumi backend is logged in: run `pulumi login` (Pulumi Cloud) or "
            "`pulumi login s3://…`/`gs://…`/`file://…` (self-managed state)"
        )
    if spec.cloud == "aws" and not _has_aws_credentials(machine):
        problems.append("no AWS credentials: set AWS_PROFILE (or SSO/OIDC credentials) for the target account")
    if spec.cloud == "gcp" and not _has_gcp_credentials(machine):
        problems.append("no GCP credentials: run `gcloud auth application-default login` or set up workload identity")
    if spec.cloud == "kubernetes":
        context = spec.cluster.kubeconfig_context
        if context and context not in machine.kube_contexts:
            problems.append(
                f"kubeconfig has no context {context!r}: create the cluster or fix cluster.kubeconfig_context"
            )
    return problems


def endpoint_is_private(spec: EnvironmentSpec) -> bool:
    """Whether `deploy` must probe the cluster API from this machine (reachable only from inside the VPC)."""
    return private_api_endpoint(spec)


def endpoint_address(endpoint: str) -> tuple[str, int]:
    """Host and port of a cluster endpoint output: an EKS URL (https://…) or a GKE address (an IP)."""
    if "://" not in endpoint:
        endpoint = f"https://{endpoint}"
    parsed = urlsplit(endpoint)
    return parsed.hostname or endpoint, parsed.port or API_PORT


def endpoint_problems(stack: str, spec: EnvironmentSpec, endpoint: str | None, reach: Probe) -> list[str]:
    """A private-only API endpoint this machine cannot reach: Pulumi's Kubernetes half would hang, then fail."""
    if not private_api_endpoint(spec) or endpoint is None:
        return []
    host, port = endpoint_address(endpoint)
    if reach(host, port):
        return []
    return [
        f"the cluster API of stack {stack} ({host}:{port}) is private (security_profile: private or no "
        f"network.api_access) and this machine cannot reach it: {PRIVATE_ENDPOINT_HELP}"
    ]


def endpoint_notes(stack: str, spec: EnvironmentSpec, endpoint: str | None) -> list[str]:
    """The first deploy of a private-only stack: nothing to probe yet, but the same machine must reach the VPC."""
    if not private_api_endpoint(spec) or endpoint is not None:
        return []
    return [
        f"stack {stack} has no cluster yet and its API endpoint will be private: the cluster is created first, then "
        f"its workloads need this machine inside the VPC; if this machine is outside it, {PRIVATE_ENDPOINT_HELP}"
    ]


def tcp_reachable(host: str, port: int, timeout: float = 5.0) -> bool:
    """Whether a TCP connection to host:port opens within `timeout` seconds (the real probe; never in tests)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def observe_endpoint(stack: str, work_dir: Path) -> str | None:
    """The deployed stack's `cluster_endpoint` output (None: no such stack or output yet, or no Pulumi CLI)."""
    cli = shutil.which("pulumi")
    if cli is None:
        return None
    found = _run([cli, "stack", "output", "cluster_endpoint", "--stack", stack, "--cwd", str(work_dir)])
    return found or None


def deploy_steps(stack: str, *, preview_only: bool, yes: bool, policy_config: Path | None = None) -> list[Step]:
    """A deploy is always a preview with the policy pack first; `up` follows unless preview-only."""
    packs = (str(POLICY_PACK_DIR),)
    configs = (str(policy_config),) if policy_config else ()
    steps = [Step("preview", stack, packs, configs)]
    if not preview_only:
        steps.append(Step("up", stack, packs, configs, needs_confirmation=not yes))
    return steps


def destroy_steps(stack: str, spec: EnvironmentSpec, *, force: bool, yes: bool) -> list[Step]:
    """Destroying: refused while data is protected; a production stack also needs --force."""
    if data_protected(spec):
        raise DeployRefused(
            f"stack {stack} protects its data (bucket and keys): set model_store.protect: false in the stack file, "
            f"run `inferstack deploy {stack}` to lift the protection, then `inferstack destroy {stack} --force`"
        )
    if spec.production and not force:
        raise DeployRefused(f"stack {stack} is production: add --force to destroy it")
    return [Step("destroy", stack, needs_confirmation=not yes)]


def after_destroy_notes(spec: EnvironmentSpec) -> list[str]:
    """What a destroy leaves behind that the next deploy of the stack must know about."""
    if spec.cloud != "gcp":
        return []
    generation = spec.cluster.key_ring_generation
    return [
        f"Cloud KMS keeps key ring {key_ring_name(spec)} and its keys for good (a destroy only forgets them, and "
        f"their names are never freed): to deploy this stack again, set cluster.key_ring_generation: "
        f"{generation + 1} in its stack file"
    ]


def observe_machine(spec: EnvironmentSpec) -> Machine:
    """Look at this machine: CLI path and version, backend login, credential files and kube contexts."""
    cli = shutil.which("pulumi")
    version = whoami = None
    if cli:
        version = _run([cli, "version"])
        whoami = _run([cli, "whoami"])
    home = Path.home()
    candidates = [
        home / ".aws" / "credentials",
        home / ".aws" / "config",
        home / ".config" / "gcloud" / "application_default_credentials.json",
    ]
    contexts: frozenset[str] = frozenset()
    if spec.cloud == "kubernetes" and shutil.which("kubectl"):
        listed = _run(["kubectl", "config", "get-contexts", "-o", "name"])
        contexts = frozenset((listed or "").split())
    return Machine(
        cli_path=cli,
        cli_version=version,
        logged_in_as=whoami,
        env=dict(os.environ),
        existing_files=frozenset(str(path) for path in candidates if path.exists()),
        kube_contexts=contexts,
    )


def _run(command: list[str]) -> str | None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def run_steps(
    steps: list[Step], *, work_dir: Path, confirm: Callable[[str], bool], echo: Callable[[str], None]
) -> None:
    """Run the steps through the Automation API in the project folder `work_dir`, streaming the engine's output."""
    from pulumi import automation as auto  # imported here: only real deploys need it

    shipped, usable = str(POLICY_PACK_DIR), str(usable_pack_dir(work_dir))
    for step in steps:
        packs = [usable if pack == shipped else pack for pack in step.policy_packs]
        if step.needs_confirmation and not confirm(f"{step.action} stack {step.stack}?"):
            raise DeployRefused(f"{step.action} of {step.stack} cancelled")
        stack = auto.create_or_select_stack(stack_name=step.stack, work_dir=str(work_dir))
        if step.action == "preview":
            stack.preview(on_output=echo, policy_packs=packs, policy_pack_configs=list(step.policy_pack_configs))
        elif step.action == "up":
            stack.up(on_output=echo, policy_packs=packs, policy_pack_configs=list(step.policy_pack_configs))
        else:
            stack.destroy(on_output=echo)
