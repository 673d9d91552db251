"""Model staging: one Job per pinned model revision copies the weights from the hub into the bucket, once.

The Job's name carries a short hash of the revision, so a new revision is a new Job and an unchanged one is
never re-run; inside, a marker object makes a re-run (e.g. after the Job was deleted) exit at once. Jobs run
in STAGING_NAMESPACE as STAGING_SERVICE_ACCOUNT, the only account bound to the bucket's writer identity;
serving pods only ever read. Without a bucket (existing cluster) there is no Job: each model's pods fill a
cache volume from the hub at the pinned revision instead (see `manifests.pod.cache_filler_container`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import pulumi

from inferstack.k8s import pods
from inferstack.k8s.engines import engine
from inferstack.k8s.manifests.guards import namespace_object
from inferstack.k8s.manifests.identity import hub_token_env, hub_token_mount, hub_token_volume
from inferstack.k8s.manifests.inputs import parse_source
from inferstack.k8s.objects import register
from inferstack.k8s.scripts import ALLOW_ENV, DENY_ENV, STAGE_TO_BUCKET, file_patterns_env
from inferstack.k8s.secrets import require_secret
from inferstack.planning.capacity import spec_stored_weights_gb
from inferstack.planning.names import STAGING_NAMESPACE, STAGING_SERVICE_ACCOUNT, adapter_prefix, model_prefix
from inferstack.planning.startup import staging_deadline_s
from inferstack.spec.models import ModelSpec
from inferstack.target import ClusterTarget, EgressRule

TYPE_TOKEN = "inferstack:index:ModelStaging"
STAGER_LABELS = {"app.kubernetes.io/name": "model-stager"}
# An adapter's size is not known offline (a rank-64 adapter of a 70B model is under 2 GB): plan for this many GB.
ADAPTER_BOUND_GB = 10.0
# Names the adapter an adapter's staging Job copies (the model's own Job has no such label).
ADAPTER_LABEL = "inferstack.dev/adapter"
# Pulumi waits for the Job a little longer than Kubernetes lets it run, so the Job's own failure is what it reports.
AWAIT_SLACK_SECONDS = 600
SHAPE_STORE_URI = "s3://shape-only"


def revision_hash(source: str) -> str:
    """Eight hex digits identifying a pinned source (hub id and revision)."""
    return hashlib.sha256(source.encode()).hexdigest()[:8]


def job_name(key: str, source: str) -> str:
    """The staging Job of one model revision."""
    return f"stage-{key}-{revision_hash(source)}"


def hub_secret_name(key: str) -> str:
    """The Secret holding a model's hub token in the staging namespace."""
    return f"{key}-hub-token"


def staging_destination(store_uri: str, key: str, source: str) -> str:
    """Where a revision's files go in the bucket (the path serving pods read)."""
    _, revision = parse_source(source)
    return f"{store_uri.rstrip('/')}/{model_prefix(key)}/{revision}"


def job_deadline_s(model: ModelSpec) -> int:
    """The Job's activeDeadlineSeconds: hours for hundreds of GB through one pod (`planning.startup`)."""
    return staging_deadline_s(spec_stored_weights_gb(model))


def stager_namespace_objects(writer_annotations: Mapping[str, str], egress: tuple[EgressRule, ...]) -> list[dict]:
    """The staging namespace, its writer service account and its network policies."""
    namespace = namespace_object("staging")
    namespace["metadata"]["name"] = STAGING_NAMESPACE
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": pods.metadata(
            STAGING_SERVICE_ACCOUNT,
            STAGING_NAMESPACE,
            STAGER_LABELS,
            annotations=dict(sorted(writer_annotations.items())),
        ),
        "automountServiceAccountToken": False,
    }
    rules = [pods.dns_egress(), pods.https_egress()]
    rules += [{"to": [{"ipBlock": {"cidr": r.cidr}}], "ports": [{"protocol": "TCP", "port": r.port}]} for r in egress]
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata("stager", STAGING_NAMESPACE, STAGER_LABELS),
        # No ingress at all; egress to DNS, the hub and the bucket only.
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "egress": rules},
    }
    return [namespace, account, policy]


def _copy_job(
    name: str, key: str, model: ModelSpec, values: dict[str, str], deadline_s: int, extra: Mapping[str, str]
) -> dict[str, Any]:
    """A Job that copies one pinned hub revision (weights or an adapter of `model`) to a bucket prefix."""
    labels = {**STAGER_LABELS, "app.kubernetes.io/instance": key, **extra}
    env: list[dict[str, Any]] = [*pods.scratch_env(), *pods.env_list(values)]
    mounts = [*pods.scratch_mounts(), {"name": "staging", "mountPath": "/staging"}]
    # One shard at a time passes through the staging volume.
    volumes = [*pods.scratch_volumes(cache_gib=4), {"name": "staging", "emptyDir": {"sizeLimit": "40Gi"}}]
    if model.hub_token_secret is not None:
        env.append(hub_token_env())
        mounts.append(hub_token_mount())
        volumes.append(hub_token_volume(hub_secret_name(key), "hub-token"))
    container = {
        "name": "stage",
        "image": model.image or engine(model.engine).image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-c", STAGE_TO_BUCKET],
        "env": env,
        "resources": {
            "requests": {"cpu": "1", "memory": "2Gi", "ephemeral-storage": "1Gi"},
            "limits": {"cpu": "2", "memory": "4Gi"},
        },
        "securityContext": pods.container_security_context(),
        "volumeMounts": mounts,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": pods.metadata(name, STAGING_NAMESPACE, labels),
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": deadline_s,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": STAGING_SERVICE_ACCOUNT,
                    "automountServiceAccountToken": False,
                    "restartPolicy": "Never",
                    "securityContext": pods.pod_security_context(),
                    "enableServiceLinks": False,
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }


def staging_job(key: str, model: ModelSpec, store_uri: str) -> dict[str, Any]:
    """The Job that copies one model revision into the bucket."""
    repo, revision = parse_source(model.source)
    values = {
        "MODEL_REPO": repo,
        "MODEL_REVISION": revision,
        "MODEL_DEST": staging_destination(store_uri, key, model.source),
        **file_patterns_env(model),
    }
    return _copy_job(job_name(key, model.source), key, model, values, job_deadline_s(model), {})


def adapter_job_name(key: str, adapter: str, source: str) -> str:
    """The staging Job of one adapter revision of a model (at most 61 characters: keys are at most 20)."""
    return f"stage-{key}-lora-{adapter}-{revision_hash(source)}"


def adapter_destination(store_uri: str, key: str, adapter: str, source: str) -> str:
    """Where an adapter revision's files go: under the model's prefix, which only its own reader may read."""
    _, revision = parse_source(source)
    return f"{store_uri.rstrip('/')}/{adapter_prefix(key, adapter)}/{revision}"


def adapter_jobs(key: str, model: ModelSpec, store_uri: str) -> list[dict[str, Any]]:
    """One Job per adapter of the model, copying its pinned revision (default file selection) into the bucket."""
    jobs = []
    for adapter, source in sorted(model.adapters.items()):
        repo, revision = parse_source(source)
        values = {
            "MODEL_REPO": repo,
            "MODEL_REVISION": revision,
            "MODEL_DEST": adapter_destination(store_uri, key, adapter, source),
            ALLOW_ENV: "[]",
            DENY_ENV: "[]",
        }
        name = adapter_job_name(key, adapter, source)
        deadline = staging_deadline_s(ADAPTER_BOUND_GB)
        jobs.append(_copy_job(name, key, model, values, deadline, {ADAPTER_LABEL: adapter}))
    return jobs


def staging_objects(
    models: Mapping[str, ModelSpec],
    store_uri: str,
    writer_annotations: Mapping[str, str],
    egress: tuple[EgressRule, ...] = (),
) -> list[dict[str, Any]]:
    """Every staging object (but hub-token Secrets): namespace, account, policy, one Job per model revision."""
    objects = stager_namespace_objects(writer_annotations, egress)
    for key, model in sorted(models.items()):
        objects += [staging_job(key, model, store_uri), *adapter_jobs(key, model, store_uri)]
    return objects


def _pick(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(obj for obj in objects if obj["kind"] == kind and obj["metadata"]["name"] == name)


class ModelStaging(pulumi.ComponentResource):
    """The staging namespace and one Job per model and adapter revision.

    `jobs[model_key]` (the weights) and `adapter_jobs[model_key]` (its LoRA adapters) are what serving waits for.
    """

    def __init__(
        self,
        name: str,
        models: Mapping[str, ModelSpec],
        target: ClusterTarget,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, {"models": sorted(models)}, opts)
        if target.model_store_uri is None:
            raise ValueError("model staging needs a target with a model store (bucket)")
        writer = target.writer_annotations if target.writer_annotations is not None else {}
        rendered = pulumi.Output.all(target.model_store_uri, writer).apply(
            lambda values: staging_objects(models, values[0], values[1] or {}, target.workload_egress)
        )
        shape = staging_objects(models, SHAPE_STORE_URI, {}, target.workload_egress)
        base = pulumi.ResourceOptions(parent=self, provider=target.provider)
        namespace = register(name, shape[0], rendered.apply(lambda objs: objs[0]), base)
        ready: list[pulumi.Resource] = [namespace]
        secrets: dict[str, pulumi.Resource] = {}
        for key, model in sorted(models.items()):
            if model.hub_token_secret is not None:
                secret = {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": pods.metadata(hub_secret_name(key), STAGING_NAMESPACE, STAGER_LABELS),
                    "type": "Opaque",
                    "stringData": {"hub-token": require_secret(model.hub_token_secret)},
                }
                secrets[key] = register(
                    name, secret, secret, pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(depends_on=ready))
                )
        self.jobs: dict[str, pulumi.Resource] = {}
        self.adapter_jobs: dict[str, list[pulumi.Resource]] = {}
        others: list[pulumi.Resource] = []
        for obj in shape[1:]:
            kind, obj_name = obj["kind"], obj["metadata"]["name"]
            instance = obj["metadata"]["labels"].get("app.kubernetes.io/instance")
            depends = [*ready, *others] if kind == "Job" else ready
            if kind == "Job" and instance in secrets:
                depends = [*depends, secrets[instance]]
            wait = f"{obj['spec']['activeDeadlineSeconds'] + AWAIT_SLACK_SECONDS}s" if kind == "Job" else None
            extra = pulumi.ResourceOptions(
                depends_on=depends,
                custom_timeouts=pulumi.CustomTimeouts(create=wait, update=wait) if wait else None,
            )
            resource = register(
                name,
                obj,
                rendered.apply(lambda objs, k=kind, n=obj_name: _pick(objs, k, n)),
                pulumi.ResourceOptions.merge(base, extra),
            )
            if kind == "Job" and ADAPTER_LABEL in obj["metadata"]["labels"]:
                self.adapter_jobs.setdefault(str(instance), []).append(resource)
            elif kind == "Job":
                self.jobs[str(instance)] = resource
            else:
                others.append(resource)
        self.register_outputs({"jobs": sorted(self.jobs)})
