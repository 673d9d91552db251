"""The one start-up model: how long a replica takes to become ready, and the startupProbe budget that follows.

A replica on a ready node pulls the engine image, then its container starts, reads the stored checkpoint
(the bytes in the bucket or the local cache, not the loaded precision) and warms the engine up (memory profiling,
CUDA graphs, compilation). Kubernetes starts the startupProbe when the container starts, after the pull, so the
probe budget covers weight load + warm-up times a safety factor; node boot happens before the pod is scheduled and
is reported separately. Every number `size`, `cost` and the rendered Deployment show comes from `startup_estimate`.
All facts are in `catalog/data/efficiency.yaml` (`startup`). A pool's `cold_start:` puts it on the accelerated path
(`startup.accelerated`): the image unpacked onto local NVMe (pulled in parallel with SOCI on AWS) or streamed lazily
(GKE), the streamer tuned for the bucket; its
probe budgets the first replica on a fresh node, whose caches are empty. With `compile_cache:` the first replica of a
model revision and engine image compiles and publishes its torch.compile cache to the bucket; later replicas load it
(`later_*`), which the autoscaler's cooldown follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from inferstack import catalog
from inferstack.planning.cuda_graphs import CudaGraphPlan, cuda_graph_plan

PROBE_PERIOD_SECONDS = 10
# The staging Job's deadline never goes below an hour (a small model still waits on the hub and the bucket), and is a
# day when the checkpoint's size is unknown (a shape the catalog does not list).
MIN_STAGING_DEADLINE_S = 3600
UNKNOWN_STAGING_DEADLINE_S = 24 * 3600
StoreKind = Literal["bucket", "local"]
# default: a full image pull onto the root volume and the streamer at its default concurrency. accelerated (a pool's
# `cold_start:`): the image unpacked onto local NVMe and/or streamed lazily (GKE), the streamer tuned for the bucket.
PathKind = Literal["default", "accelerated"]
# GKE image streaming streams only images stored in Artifact Registry (GKE docs, "Use Image streaming to pull
# container images", requirements); any other image is pulled whole even on a streaming pool.
ARTIFACT_REGISTRY_HOST = "-docker.pkg.dev/"
INCLUDES = (
    "startupProbe budget = (weight load + engine warm-up) × safety factor, rounded up to the probe period; "
    "the image pull happens before the probe starts and node boot before the pod is scheduled"
)


@dataclass(frozen=True)
class StartupEstimate:
    """The parts of one replica's start, in seconds, and the startupProbe budget derived from them."""

    stored_weights_gb: float
    store: StoreKind
    node_boot_s: float
    image_pull_s: float
    weight_load_s: float
    warmup_s: float
    safety_factor: float
    path: PathKind = "default"
    # What a later replica's warm-up saves by loading the compile cache the first one published (0: no cache).
    compile_saved_s: float = 0.0
    # Which image accelerators the pull term assumed (the facts `startup_terms` cites).
    image_on_nvme: bool = False
    image_lazy: bool = False
    image_parallel: bool = False
    # The CUDA graphs the warm-up captures (from the GPU and max_num_seqs); vLLM's defaults when not given.
    graphs: CudaGraphPlan = field(default_factory=cuda_graph_plan)

    @property
    def later_pod_s(self) -> float:
        """A later replica on a ready node: the same pull and weight read, the compile loaded from the cache."""
        return self.pod_s - self.compile_saved_s

    @property
    def later_cold_s(self) -> float:
        """A later replica on a new node: node boot + its start (what scaling out costs once the cache exists)."""
        return self.node_boot_s + self.later_pod_s

    @property
    def probe_window_s(self) -> float:
        """What the startupProbe times: from container start to ready (weight load + warm-up)."""
        return self.weight_load_s + self.warmup_s

    @property
    def pod_s(self) -> float:
        """From scheduling on a ready node to ready: image pull + weight load + warm-up."""
        return self.image_pull_s + self.probe_window_s

    @property
    def cold_s(self) -> float:
        """From scale-up on a new node to ready: node boot + the pod's start."""
        return self.node_boot_s + self.pod_s

    @property
    def probe_budget_s(self) -> int:
        """Seconds the startupProbe allows: failureThreshold × periodSeconds."""
        return self.failure_threshold * PROBE_PERIOD_SECONDS

    @property
    def failure_threshold(self) -> int:
        """The startupProbe failureThreshold at the standard period."""
        return max(1, math.ceil(self.probe_window_s * self.safety_factor / PROBE_PERIOD_SECONDS - 1e-9))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`, with what the numbers include."""
        return {
            "stored_weights_gb": round(self.stored_weights_gb, 1),
            "store": self.store,
            "node_boot_s": round(self.node_boot_s),
            "image_pull_s": round(self.image_pull_s),
            "weight_load_s": round(self.weight_load_s),
            "warmup_s": round(self.warmup_s),
            "cuda_graphs": self.graphs.graphs,
            "max_num_seqs": self.graphs.max_num_seqs,
            "pod_s": round(self.pod_s),
            "cold_s": round(self.cold_s),
            "path": self.path,
            "later_pod_s": round(self.later_pod_s),
            "later_cold_s": round(self.later_cold_s),
            "safety_factor": self.safety_factor,
            "startup_probe_s": self.probe_budget_s,
            "includes": INCLUDES,
        }

    def summary(self) -> str:
        """One line for people."""
        later = f"; later replicas {self.later_pod_s:.0f} s (compile cache loaded)" if self.compile_saved_s > 0 else ""
        return (
            f"start-up ({self.path}) ≈ {self.pod_s:.0f} s on a ready node (image pull {self.image_pull_s:.0f} s, "
            f"weight load {self.weight_load_s:.0f} s for {self.stored_weights_gb:.1f} GB stored, engine warm-up "
            f"{self.warmup_s:.0f} s){later} + node boot {self.node_boot_s:.0f} s; startupProbe {self.probe_budget_s} s "
            f"= (weight load + warm-up) × {self.safety_factor:g}"
        )


def startup_estimate(
    stored_weights_gb: float,
    store: StoreKind,
    cloud: str | None = None,
    *,
    local_nvme: bool = False,
    image_streaming: bool = False,
    fast_image_pull: bool = False,
    compile_cache: bool = False,
    gpu: str | None = None,
    max_num_seqs: int | None = None,
) -> StartupEstimate:
    """A replica's start from its stored bytes, where it reads them, its cloud's node boot, its pool's accelerators.

    The GPU and `max_num_seqs` (None: vLLM's default for the GPU) set how many CUDA graphs the warm-up captures.
    """
    if stored_weights_gb < 0:
        raise ValueError("stored weights must be ≥ 0 GB")
    facts = catalog.efficiency().startup
    node = facts.node_ready_s.get(cloud) if cloud is not None else None
    node_boot_s = node.value if node is not None else 0.0
    graphs = cuda_graph_plan(gpu, max_num_seqs)
    if (local_nvme or image_streaming or fast_image_pull or compile_cache) and store == "bucket":
        image = _ImagePath(local_nvme, image_streaming, fast_image_pull and local_nvme)
        return _accelerated(stored_weights_gb, node_boot_s, image, compile_cache, graphs)
    return StartupEstimate(
        stored_weights_gb=stored_weights_gb,
        store=store,
        node_boot_s=node_boot_s,
        image_pull_s=facts.image_gb.value / facts.image_pull_gbps.value,
        weight_load_s=stored_weights_gb / facts.weight_load_gbps[store].value,
        warmup_s=warmup_s(graphs),
        safety_factor=facts.safety_factor.value,
        graphs=graphs,
    )


def warmup_s(graphs: CudaGraphPlan | None = None) -> float:
    """The engine's warm-up on an empty compile cache: init, compile, CUDA graphs, profiling, server start."""
    warm = catalog.efficiency().startup.warmup
    terms = (warm.engine_init_s, warm.compile_s, warm.profile_s, warm.server_ready_s)
    return sum(term.value for term in terms) + (graphs or cuda_graph_plan()).seconds


def compile_saved_s() -> float:
    """What loading a persisted torch.compile cache saves a replica's warm-up (Dynamo still runs on a hit)."""
    warm = catalog.efficiency().startup.warmup
    return warm.compile_s.value - warm.compile_cached_s.value


@dataclass(frozen=True)
class _ImagePath:
    """Where and how the engine image lands: unpacked on local NVMe, streamed lazily, pulled in parallel."""

    on_nvme: bool
    lazy: bool
    # SOCI parallel pull counts only onto local NVMe: a baseline gp3 root volume, not the network, bounds it there.
    parallel: bool


def _accelerated(
    stored_weights_gb: float,
    node_boot_s: float,
    image: _ImagePath,
    compile_cache: bool,
    graphs: CudaGraphPlan,
) -> StartupEstimate:
    """The accelerated path: the image lazily pulled or unpacked onto local NVMe, the streamer tuned for the bucket."""
    facts = catalog.efficiency().startup
    fast = facts.accelerated
    # Image streaming fetches only what the engine reads at start; local NVMe takes the unpack off the root volume.
    pull_gbps = fast.nvme_image_pull_gbps.value if image.on_nvme else facts.image_pull_gbps.value
    image_gb = facts.image_gb.value * (fast.lazy_image_fraction.value if image.lazy else 1.0)
    share = fast.parallel_pull_time_share.value if image.parallel else 1.0
    return StartupEstimate(
        stored_weights_gb=stored_weights_gb,
        store="bucket",
        node_boot_s=node_boot_s,
        image_pull_s=image_gb / pull_gbps * share,
        weight_load_s=stored_weights_gb / fast.streamer_bucket_gbps.value,
        # The warm-up is the engine's, the same on both paths.
        warmup_s=warmup_s(graphs),
        safety_factor=facts.safety_factor.value,
        path="accelerated",
        compile_saved_s=compile_saved_s() if compile_cache else 0.0,
        image_on_nvme=image.on_nvme,
        image_lazy=image.lazy,
        image_parallel=image.parallel,
        graphs=graphs,
    )


def staging_deadline_s(stored_weights_gb: float | None) -> int:
    """The staging Job's activeDeadlineSeconds: the checkpoint at the conservative copy rate × the safety factor."""
    if stored_weights_gb is None:
        return UNKNOWN_STAGING_DEADLINE_S
    facts = catalog.efficiency().startup
    seconds = stored_weights_gb / facts.staging_copy_gbps.value * facts.safety_factor.value
    return max(MIN_STAGING_DEADLINE_S, math.ceil(seconds))


class Accelerators(TypedDict):
    """The accelerator switches of `startup_estimate`, as keyword arguments."""

    local_nvme: bool
    image_streaming: bool
    fast_image_pull: bool
    compile_cache: bool


def path_accelerators(path: PathKind, cloud: str | None) -> Accelerators:
    """What `size --cold-start` means on a cloud: accelerated = every accelerator inferstack sets up there."""
    on = path == "accelerated"
    return Accelerators(
        local_nvme=on, image_streaming=on and cloud == "gcp", fast_image_pull=on and cloud == "aws", compile_cache=on
    )


def streams_image(image: str | None) -> bool:
    """Whether GKE image streaming applies to an engine image (None: the engine's pinned image, not in AR)."""
    return image is not None and ARTIFACT_REGISTRY_HOST in image.split("/", 1)[0] + "/"
