"""A spec model's start-up: its stored checkpoint, its image and its pool's cold-start accelerators.

The one bridge from a spec model to `startup.startup_estimate`, for `size`/`cost` (spec_serving) and the rendered
startupProbe (k8s/manifests/pod.py), so both count the same accelerators.
"""

from __future__ import annotations

from inferstack.planning.capacity import spec_stored_weights_gb
from inferstack.planning.startup import StartupEstimate, StoreKind, startup_estimate, streams_image
from inferstack.spec.models import ColdStartSpec, ModelSpec


def spec_model_startup(
    model: ModelSpec,
    store: StoreKind,
    cloud: str | None = None,
    cold: ColdStartSpec | None = None,
    gpu: str | None = None,
) -> StartupEstimate | None:
    """A spec model's start-up from its checkpoint, its pool's cold start and GPU; None when its shape is unknown."""
    if (stored := spec_stored_weights_gb(model)) is None:
        return None
    return model_startup(stored, model, store, cloud, cold=cold, gpu=gpu)


def model_startup(
    stored_gb: float,
    model: ModelSpec,
    store: StoreKind,
    cloud: str | None = None,
    cold: ColdStartSpec | None = None,
    gpu: str | None = None,
) -> StartupEstimate:
    """A model's start-up from `stored_gb` read, its pool's accelerators (streaming only for an image GKE streams)."""
    cold = cold or ColdStartSpec()
    streaming = cold.image_streaming and streams_image(model.image)
    flags = cold.model_copy(update={"image_streaming": streaming}).model_dump()
    return startup_estimate(stored_gb, store, cloud, gpu=gpu, max_num_seqs=model.max_num_seqs, **flags)
