"""The post-deploy smoke test: a Job that calls `/v1/models` and two tiny completions through the model's Service.

Created after the engine Deployment is ready (the component makes it depend on it, and pulumi-kubernetes waits
for a Deployment's rollout). With `strict: true` the provider's Job await (Complete, or fail at once on Failed)
makes a failing test fail `pulumi up`; otherwise `pulumi.com/skipAwait` lets the deploy finish and the
LlmModelSmokeTestFailed alert reports it. Its name carries a digest of what was deployed, so each change of the
model runs a new Job. TTFT is the time of a one-token completion; tokens/s are the extra tokens of a
`max_tokens` completion over its extra time. The result is the container's termination message (JSON); the
provider cannot read a pod's termination message back into a stack output, so the output is the command that
reads it (least privilege: no RBAC for the Job, no ConfigMap written from inside the cluster).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.k8s import pods
from inferstack.k8s.manifests.exposure import SERVICE_PORT
from inferstack.k8s.manifests.identity import SECRET_KEYS, secret_name
from inferstack.k8s.manifests.inputs import ServiceInputs, engine_image, labels
from inferstack.planning.served_names import primary_name, served_names
from inferstack.spec.monitoring_parts import SmokeTestSpec

SMOKE_LABELS = {"app.kubernetes.io/name": "llm-smoke-test"}
API_KEY_DIR = "/var/run/secrets/inferstack/api"
# Whole Job: image pull, three calls with retries while the Service's endpoints settle.
DEADLINE_SECONDS = 600
RESULT_COMMAND = (
    "kubectl -n {ns} get pods -l job-name={job} "
    "-o jsonpath='{{.items[-1:].status.containerStatuses[0].state.terminated.message}}'"
)


def runs_smoke_test(inputs: ServiceInputs) -> bool:
    """Whether the model gets a smoke test: asked for, and a replica to answer (scale-to-zero has none to wake)."""
    return inputs.smoke is not None and inputs.smoke.enabled and inputs.model.replicas.min > 0


# ModelSpec fields added after Jobs were deployed: left out of the digest while unset, so that adding a field
# re-runs no deployed smoke test (setting it does, like any other change of the model).
UNSET_FIELDS_NOT_HASHED = ("route",)


def smoke_job_name(inputs: ServiceInputs) -> str:
    """The Job's name: the model key and a digest of the model's spec and engine image."""
    unset = {name for name in UNSET_FIELDS_NOT_HASHED if getattr(inputs.model, name) is None}
    what = json.dumps([inputs.model.model_dump(mode="json", exclude=unset), engine_image(inputs)], sort_keys=True)
    return f"{inputs.key}-smoke-{hashlib.sha256(what.encode()).hexdigest()[:8]}"


def result_command(inputs: ServiceInputs) -> str:
    """The kubectl command that prints the smoke test's result (its container's termination message)."""
    return RESULT_COMMAND.format(ns=inputs.namespace, job=smoke_job_name(inputs))


def smoke_env(inputs: ServiceInputs, spec: SmokeTestSpec) -> dict[str, str]:
    """What the script reads: the Service URL, the served names and the two request bodies (no shell quoting)."""
    served = primary_name(inputs.key, inputs.model)
    one = {"model": served, "prompt": "Hello", "max_tokens": 1, "temperature": 0}
    many = {**one, "max_tokens": spec.max_tokens, "ignore_eos": True}
    return {
        "SMOKE_BASE": f"http://{inputs.key}.{inputs.namespace}.svc:{SERVICE_PORT}",
        "SMOKE_MODEL": served,
        # Every name /v1/models must list: the served name and each LoRA adapter (vLLM lists --lora-modules).
        "SMOKE_MODELS": " ".join(served_names(inputs.key, inputs.model)),
        "SMOKE_ONE": json.dumps(one, separators=(",", ":")),
        "SMOKE_MANY": json.dumps(many, separators=(",", ":")),
    }


def smoke_script(api_key: bool) -> str:
    """The POSIX shell the test runs (busybox in the client image); values come from `smoke_env`."""
    lines = [
        "set -eu",
        'fail() { printf \'{"ok":false,"step":"%s"}\' "$1" > /dev/termination-log; echo "smoke: $1" >&2; exit 1; }',
        "H=''",
    ]
    if api_key:
        # The key goes to a header file in the pod's tmpfs: never an argument (ps) or an environment variable.
        lines += [
            f"printf 'Authorization: Bearer %s\\n' \"$(cat {API_KEY_DIR}/{SECRET_KEYS['api']})\" > /tmp/auth",
            "H='-H @/tmp/auth'",
        ]
    curl = "curl -fsS --retry 5 --retry-connrefused --retry-delay 5"
    post = f"{curl} $H -H 'Content-Type: application/json'"
    lines += [
        f'{curl} --max-time 30 $H -o /tmp/models.json "$SMOKE_BASE/v1/models" || fail models',
        'for m in $SMOKE_MODELS; do grep -Fq "\\"$m\\"" /tmp/models.json || fail model-not-listed; done',
        f't1=$({post} --max-time 120 -d "$SMOKE_ONE" -o /tmp/one.json -w "%{{time_total}}" '
        '"$SMOKE_BASE/v1/completions") || fail first-token',
        f't2=$({post} --max-time 300 -d "$SMOKE_MANY" -o /tmp/many.json -w "%{{time_total}}" '
        '"$SMOKE_BASE/v1/completions") || fail completion',
        "n=$(grep -Eo '\"completion_tokens\": ?[0-9]+' /tmp/many.json | tail -n 1 | sed 's/[^0-9]//g')",
        '[ -n "$n" ] || fail no-usage',
        'echo "$t1 $t2 $n" | awk \'{d=$2-$1; tps=(d>0 && $3>1)?($3-1)/d:0; '
        'printf "{\\"ok\\":true,\\"ttft_s\\":%.3f,\\"tokens_per_s\\":%.1f,\\"tokens\\":%d}", $1, tps, $3}\''
        " > /dev/termination-log",
        "cat /dev/termination-log",
    ]
    return "\n".join(lines) + "\n"


def smoke_job(inputs: ServiceInputs, spec: SmokeTestSpec) -> dict[str, Any]:
    """The smoke-test Job: non-root, read-only root, no API token, bounded resources, pinned client image."""
    annotations = {"pulumi.com/replaceUnready": "true"} if spec.strict else {"pulumi.com/skipAwait": "true"}
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}]
    if inputs.model.api_key_secret is not None:
        mounts.append({"name": "api-key", "mountPath": API_KEY_DIR, "readOnly": True})
        items = [{"key": SECRET_KEYS["api"], "path": SECRET_KEYS["api"]}]
        volumes.append(
            {"name": "api-key", "secret": {"secretName": secret_name(inputs.key), "items": items, "defaultMode": 0o440}}
        )
    container = {
        "name": "smoke",
        "image": k8s_addons().images["smoke-client"].ref,
        "command": ["/bin/sh", "-c", smoke_script(inputs.model.api_key_secret is not None)],
        "env": pods.env_list(smoke_env(inputs, spec)),
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}},
        "securityContext": pods.container_security_context(),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": mounts,
    }
    pod_labels = {**SMOKE_LABELS, "app.kubernetes.io/instance": inputs.key}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": pods.metadata(smoke_job_name(inputs), inputs.namespace, pod_labels, annotations=annotations),
        "spec": {
            "backoffLimit": 2,
            "activeDeadlineSeconds": DEADLINE_SECONDS,
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "securityContext": pods.pod_security_context(),
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }


def smoke_network_policy(inputs: ServiceInputs) -> dict[str, Any]:
    """Egress of the smoke-test pods: DNS and the engine pods' port, nothing else (the namespace denies the rest)."""
    engine_peer = {"podSelector": {"matchLabels": labels(inputs.key)}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata(f"{inputs.key}-smoke", inputs.namespace, SMOKE_LABELS),
        "spec": {
            "podSelector": {"matchLabels": {**SMOKE_LABELS, "app.kubernetes.io/instance": inputs.key}},
            "policyTypes": ["Egress"],
            "egress": [
                pods.dns_egress(),
                {"to": [engine_peer], "ports": [{"protocol": "TCP", "port": inputs.engine.port}]},
            ],
        },
    }
