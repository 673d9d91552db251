"""The workload layer, written once for every cluster: add-ons, engines, InferenceService, staging."""

from inferstack.k8s.addons import ClusterAddons, plan_addons
from inferstack.k8s.engines import ENGINES, Engine, EngineArgs, engine
from inferstack.k8s.inference import InferenceService
from inferstack.k8s.staging import ModelStaging
from inferstack.k8s.workload import Workload

__all__ = [
    "ENGINES",
    "ClusterAddons",
    "Engine",
    "EngineArgs",
    "InferenceService",
    "ModelStaging",
    "Workload",
    "engine",
    "plan_addons",
]
