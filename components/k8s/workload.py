"""Workload: the whole workload layer on one target — add-ons, monitoring, model staging, one InferenceService per
model (each with its alert rules and post-deploy smoke test)."""

from __future__ import annotations

import pulumi

from inferstack.k8s.addons import ClusterAddons, gateway_addons, plan_addons
from inferstack.k8s.engines import engine
from inferstack.k8s.gateway.component import InferenceGateway
from inferstack.k8s.gateway.inputs import ModelPort, gateway_inputs, proxy_peer
from inferstack.k8s.inference import InferenceService
from inferstack.k8s.manifests.inputs import labels
from inferstack.k8s.monitoring.component import Monitoring
from inferstack.k8s.monitoring.plan import monitoring_plan
from inferstack.k8s.objects import register
from inferstack.k8s.staging import ModelStaging
from inferstack.planning.fit import rollout_strategy
from inferstack.planning.gateway import gateway_enabled
from inferstack.planning.names import serving_namespace
from inferstack.planning.wake import any_wakes
from inferstack.spec import EnvironmentSpec
from inferstack.target import ClusterTarget

TYPE_TOKEN = "inferstack:index:Workload"


class Workload(pulumi.ComponentResource):
    """Add-ons, staging Jobs (when there is a bucket) and the served models of an environment."""

    def __init__(
        self, name: str, spec: EnvironmentSpec, target: ClusterTarget, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, {"models": sorted(spec.models)}, opts)
        child = pulumi.ResourceOptions(parent=self)
        monitoring = monitoring_plan(spec, minimal=target.minimal_addons, default_storage_class=target.storage_class)
        # The cloud's StorageClass (EKS has no default one) exists before any claim naming it: a claim whose class
        # is missing stays Pending, and so would Prometheus's StatefulSet and the Helm release waiting for it.
        self.storage_class = None
        if target.storage_class_object is not None:
            shape = target.storage_class_object
            self.storage_class = register(
                name,
                shape,
                shape,
                pulumi.ResourceOptions(parent=self, provider=target.provider, depends_on=list(target.storage_after)),
            )
        storage = [self.storage_class] if self.storage_class is not None else []
        gateway = None
        if gateway_enabled(spec):
            ports = tuple(
                ModelPort(key, serving_namespace(key), engine(model.engine).port, labels(key))
                for key, model in sorted(spec.models.items())
            )
            gateway = gateway_inputs(spec, ports, target.internal_lb_annotations)
        self.addons = ClusterAddons(
            f"{name}-addons",
            plan_addons(
                target,
                minimal=target.minimal_addons,
                monitoring=monitoring,
                gateway=gateway_addons(rate_limits=gateway.limited) if gateway is not None else None,
                wake=any_wakes(spec),
            ),
            target.provider,
            after=storage,
            opts=child,
        )
        staged = target.model_store_uri is not None and bool(spec.models)
        self.monitoring = Monitoring(
            f"{name}-monitoring",
            monitoring,
            gpus=bool(target.pools) and not target.minimal_addons,
            managed_gpu_metrics=target.managed_gpu_metrics,
            staging=staged,
            provider=target.provider,
            after=self.addons.crd_owner("monitoring.coreos.com/v1"),
            opts=child,
        )
        self.staging = ModelStaging(f"{name}-staging", spec.models, target, opts=child) if staged else None
        self.services: dict[str, InferenceService] = {}
        waking = gateway.waking if gateway is not None else {}
        for key, model in sorted(spec.models.items()):
            # The model's Job and its adapters' Jobs: the engine starts once every file it loads is staged.
            staging = self.staging
            jobs = [staging.jobs[key], *staging.adapter_jobs.get(key, [])] if staging is not None else []
            self.services[key] = InferenceService(
                f"{name}-{key}",
                key,
                model,
                target,
                prometheus=self.addons.prometheus_url,
                crd_owner=self.addons.crd_owner,
                after=[*storage, *jobs],
                rollout=rollout_strategy(spec, key),
                smoke=spec.monitoring.smoke_test,
                gateway_peer=proxy_peer() if gateway is not None else None,
                wake_names=waking.get(key, ()),
                opts=child,
            )
        self.gateway = None
        if gateway is not None:
            self.gateway = InferenceGateway(
                f"{name}-gateway",
                gateway,
                target.provider,
                releases=self.addons.gateway_releases(),
                namespaces={key: service.namespace for key, service in self.services.items()},
                opts=child,
            )
        self.urls = {key: service.url for key, service in self.services.items()}
        self.smoke_tests = {key: service.smoke_test for key, service in self.services.items() if service.smoke_test}
        self.register_outputs({"urls": self.urls, "smoke_tests": self.smoke_tests})
