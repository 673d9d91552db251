"""The workload layer, written once for every cluster: add-ons, engines, InferenceService, staging."""

from components.k8s.addons import ClusterAddons, plan_addons
from components.k8s.engines import ENGINES, Engine, EngineArgs, engine
from components.k8s.existing_cluster import ExistingCluster
from components.k8s.inference import InferenceService
from components.k8s.staging import ModelStaging
from components.k8s.workload import Workload

__all__ = [
    "ENGINES",
    "ClusterAddons",
    "Engine",
    "EngineArgs",
    "ExistingCluster",
    "InferenceService",
    "ModelStaging",
    "Workload",
    "engine",
    "plan_addons",
]
