"""The Kubernetes objects of one served model, as plain dicts built by pure functions, one module per family.

`inputs` (what they are built from), `pod` (containers, probes, volumes, the Deployment), `identity`
(ServiceAccount, Secret), `exposure` (Services), `guards` (namespace, disruption budget, network policies),
`scaling` (ScaledObject, PodMonitor), `wake` (the InterceptorRoute and wake Service of a model at zero),
`adapters` (LoRA adapter init containers and volume), `alerts` (the model's PrometheusRule, SLO burn in `slo`)
and `smoke` (the post-deploy smoke-test Job, last: it runs once the Deployment is ready). `inference_objects`
returns every object of an InferenceService except its Secret (whose values are Pulumi secrets, see
`identity.secret_object`); the component turns each dict into a typed pulumi_kubernetes resource, so what the
engine registers and what `inferstack plan --out` renders are the same data.
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s.manifests.alerts import model_rule_object
from inferstack.k8s.manifests.exposure import load_balancer_object, service_object
from inferstack.k8s.manifests.guards import disruption_budget_object, namespace_object, network_policy_objects
from inferstack.k8s.manifests.identity import service_account_object
from inferstack.k8s.manifests.inputs import ServiceInputs
from inferstack.k8s.manifests.pod import cache_claim_object, deployment_object, per_replica_cache
from inferstack.k8s.manifests.scaling import pod_monitor, scaled_object
from inferstack.k8s.manifests.smoke import runs_smoke_test, smoke_job, smoke_network_policy
from inferstack.k8s.manifests.wake import wake_objects


def inference_objects(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """Every object of one InferenceService but its Secret, namespace first."""
    objects = [namespace_object(inputs.key), service_account_object(inputs)]
    if inputs.store_uri is None and not per_replica_cache(inputs):
        objects.append(cache_claim_object(inputs))
    objects += [deployment_object(inputs), service_object(inputs)]
    balancer = load_balancer_object(inputs)
    if balancer is not None:
        objects.append(balancer)
    objects += [disruption_budget_object(inputs), *network_policy_objects(inputs)]
    objects += [*wake_objects(inputs), scaled_object(inputs), pod_monitor(inputs), model_rule_object(inputs)]
    if runs_smoke_test(inputs) and inputs.smoke is not None:
        objects += [smoke_network_policy(inputs), smoke_job(inputs, inputs.smoke)]
    return objects
