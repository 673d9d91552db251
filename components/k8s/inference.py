"""InferenceService: one served model on the target cluster, from the objects `manifests/` builds.

The component loops over `inference_objects` and registers each dict as a typed resource. Object bodies wait
on the cloud outputs they use (bucket URI, identity annotations); which objects exist is known from the spec
alone, so the resource set never depends on an output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi

from inferstack.k8s.addons import prometheus_url
from inferstack.k8s.manifests import inference_objects
from inferstack.k8s.manifests.identity import SECRET_KEYS, has_secret, secret_object
from inferstack.k8s.manifests.inputs import ServiceInputs
from inferstack.k8s.manifests.pod import startup_budget
from inferstack.k8s.manifests.smoke import result_command, runs_smoke_test, smoke_job_name
from inferstack.k8s.objects import register
from inferstack.k8s.secrets import require_secret
from inferstack.planning.fit import SURGE, Rollout
from inferstack.planning.names import serving_namespace
from inferstack.spec.models import ModelSpec
from inferstack.spec.monitoring_parts import SmokeTestSpec
from inferstack.target import ClusterTarget

TYPE_TOKEN = "inferstack:index:InferenceService"
# Placeholder used only to learn which objects exist; never rendered or registered.
SHAPE_STORE_URI = "s3://shape-only"
# Beyond the startup budget, what a rollout may take (image pull, scheduling, a node scaled up).
ROLLOUT_MARGIN_SECONDS = 900
# Longer than the smoke-test Job's activeDeadlineSeconds, so the Job's own failure is what a strict deploy reports.
SMOKE_TIMEOUT = "15m"

CrdOwner = Callable[[str], Sequence[pulumi.Resource]]


def _no_owner(_: str) -> Sequence[pulumi.Resource]:
    return []


def _pick(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(obj for obj in objects if obj["kind"] == kind and obj["metadata"]["name"] == name)


class InferenceService(pulumi.ComponentResource):
    """One model served on the target: namespace, identity, Secret, engine Deployment, Services, policies,
    autoscaler and metrics scraping."""

    def __init__(
        self,
        name: str,
        key: str,
        model: ModelSpec,
        target: ClusterTarget,
        *,
        prometheus: str | None = None,
        crd_owner: CrdOwner = _no_owner,
        after: Sequence[pulumi.Resource] = (),
        rollout: Rollout = SURGE,
        smoke: SmokeTestSpec | None = None,
        gateway_peer: Mapping[str, Any] | None = None,
        wake_names: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, {"model": key, "spec": model.model_dump(mode="json")}, opts)
        pool = None
        if model.pool is not None:
            if model.pool not in target.pools:
                raise ValueError(f"model {key!r} runs on pool {model.pool!r}, which the target does not have")
            pool = target.pools[model.pool]
        store = target.model_store_uri

        def inputs(store_uri: str | None, annotations: Mapping[str, str]) -> ServiceInputs:
            return ServiceInputs(
                key=key,
                model=model,
                pool=pool,
                store_uri=store_uri,
                prometheus_url=prometheus or prometheus_url(),
                reader_annotations=annotations,
                internal_lb_annotations=target.internal_lb_annotations,
                egress=target.workload_egress,
                rollout=rollout,
                architecture=target.node_architecture,
                smoke=smoke,
                storage_class=target.storage_class,
                gateway_peer=gateway_peer,
                wake_names=tuple(wake_names),
            )

        shape = inference_objects(inputs(SHAPE_STORE_URI if store is not None else None, {}))
        reader = target.reader_annotations.get(key)
        rendered = pulumi.Output.all(store, reader if reader is not None else {}).apply(
            lambda values: inference_objects(inputs(values[0], values[1] or {}))
        )
        provider = target.provider
        namespace_shape, rest = shape[0], shape[1:]
        self.namespace = register(
            name,
            namespace_shape,
            rendered.apply(lambda objs: objs[0]),
            pulumi.ResourceOptions(parent=self, provider=provider),
        )
        in_namespace: list[pulumi.Resource] = [self.namespace]
        if has_secret(model, None if store is None else SHAPE_STORE_URI):
            values: dict[str, Any] = {}
            if model.api_key_secret is not None:
                values[SECRET_KEYS["api"]] = require_secret(model.api_key_secret)
            if store is None and model.hub_token_secret is not None:
                values[SECRET_KEYS["hub"]] = require_secret(model.hub_token_secret)
            secret = secret_object(key, values)
            self.secret = register(
                name, secret, secret, pulumi.ResourceOptions(parent=self, provider=provider, depends_on=in_namespace)
            )
            in_namespace = [*in_namespace, self.secret]
        budget = startup_budget(inputs(SHAPE_STORE_URI if store is not None else None, {}))
        timeout = f"{math.ceil((budget + ROLLOUT_MARGIN_SECONDS) / 60)}m"
        self.objects: dict[str, pulumi.CustomResource] = {}
        for obj in rest:
            kind_, obj_name = obj["kind"], obj["metadata"]["name"]
            depends = [*in_namespace, *crd_owner(obj["apiVersion"])]
            timeouts = None
            if kind_ == "Deployment":
                depends += list(after)
                timeouts = pulumi.CustomTimeouts(create=timeout, update=timeout)
            elif kind_ == "Job":
                # The smoke test: after the rollout the provider waited for; its own await is bounded by the Job.
                depends += [obj for key_, obj in self.objects.items() if key_.startswith("Deployment/")]
                timeouts = pulumi.CustomTimeouts(create=SMOKE_TIMEOUT, update=SMOKE_TIMEOUT)
            self.objects[f"{kind_}/{obj_name}"] = register(
                name,
                obj,
                rendered.apply(lambda objs, k=kind_, n=obj_name: _pick(objs, k, n)),
                pulumi.ResourceOptions(parent=self, provider=provider, depends_on=depends, custom_timeouts=timeouts),
            )
        self.url = f"http://{key}.{serving_namespace(key)}.svc"
        # Where the smoke test's result is (a pod's termination message is not a provider output): job and command.
        self.smoke_test: dict[str, Any] | None = None
        probe = inputs(None, {})
        if smoke is not None and runs_smoke_test(probe):
            self.smoke_test = {
                "job": smoke_job_name(probe),
                "namespace": serving_namespace(key),
                "strict": smoke.strict,
                "result": result_command(probe),
            }
        self.register_outputs({"url": self.url, "namespace": serving_namespace(key)})
