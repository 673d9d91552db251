"""A pool's `cold_start:` asks only for what its nodes and cloud have: local NVMe, GKE image streaming, AWS parallel
pull, a bucket."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack import catalog
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.planning.defaults import pool_instance_type
from inferstack.planning.spec_serving import model_store_kind
from inferstack.planning.startup import streams_image
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path


def check_cold_start(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """local_nvme needs an instance type with instance store / local SSD; image_streaming needs GKE, fast_image_pull
    EKS nodes nodeadm turns it on for."""
    for name, pool in spec.node_pools.items():
        wanted = pool.cold_start
        if wanted.compile_cache:
            yield from _compile_cache_issues(spec, name)
        if wanted.image_streaming and spec.cloud != "gcp":
            yield SpecIssue(
                field_path("node_pools", name, "cold_start", "image_streaming"),
                f"image streaming is a GKE feature; on {spec.cloud} inferstack does not set up lazy pulling",
                "remove image_streaming (on aws, fast_image_pull with local_nvme speeds up the pull)"
                if spec.cloud == "aws"
                else "remove image_streaming",
            )
        if wanted.fast_image_pull:
            yield from _fast_pull_issues(spec, name)
        if not wanted.local_nvme:
            continue
        path = field_path("node_pools", name, "cold_start", "local_nvme")
        if spec.cloud == "kubernetes":
            yield SpecIssue(path, "an existing cluster's nodes are not inferstack's to configure", "remove local_nvme")
            continue
        if spec.region is None:
            continue
        resolved = pool_instance_type(spec, pool)
        if resolved is None:
            continue  # the pool checks already say why no type fits
        type_name, itype = resolved
        if itype.local_nvme_gb:
            continue
        with_nvme = sorted(
            n
            for n, t in catalog.instance_types(spec.cloud).items()
            if t.gpu == pool.gpu and t.local_nvme_gb and spec.region in t.regions
        )
        yield SpecIssue(
            path,
            f"{type_name} has no instance store / local SSD to cache on",
            f"set instance_type to one with local NVMe ({', '.join(with_nvme)})"
            if with_nvme
            else f"no {pool.gpu} type in {spec.region} has local NVMe in inferstack's catalog; remove local_nvme",
        )


def warn_unstreamed_image(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """A model on an image-streaming pool whose image GKE cannot stream (not in Artifact Registry) is pulled whole."""
    for key, model in sorted(spec.models.items()):
        pool = spec.node_pools.get(model.pool) if model.pool else None
        if pool is not None and pool.cold_start.image_streaming and not streams_image(model.image):
            yield SpecWarning(
                field_path("models", key, "image"),
                f"pool {model.pool} streams images, but GKE streams only Artifact Registry images: this model's "
                "image is pulled whole (and `size`/`cost` count the full pull)",
                "copy the engine image to an Artifact Registry repository (REGION-docker.pkg.dev/...) and set image",
            )


def _compile_cache_issues(spec: EnvironmentSpec, pool: str) -> Iterable[SpecIssue]:
    """The compile cache lives in the model bucket and is vLLM's GPU torch.compile cache."""
    path = field_path("node_pools", pool, "cold_start", "compile_cache")
    if model_store_kind(spec) != "bucket":
        yield SpecIssue(
            path,
            "the compile cache is kept in the model bucket, and this environment has none",
            "set model_store.bucket: true (aws, gcp) or remove compile_cache",
        )
        return
    for key, model in sorted(spec.models.items()):
        # Each engine runs the image of the same key (k8s/engines.py); only the GPU vLLM image keeps a compile cache.
        if model.pool == pool and k8s_addons().images[model.engine].compile_cache_dir is None:
            yield SpecIssue(
                path,
                f"model {key} runs engine {model.engine}, which keeps no torch.compile cache inferstack can persist",
                "run the pool's models on engine vllm, or remove compile_cache",
            )


def _fast_pull_issues(spec: EnvironmentSpec, name: str) -> Iterable[SpecIssue]:
    """SOCI parallel pull is nodeadm's (EKS AL2023 nodes), and nodeadm ignores it on small nodes."""
    path = field_path("node_pools", name, "cold_start", "fast_image_pull")
    if spec.cloud != "aws":
        fix = "use image_streaming on gcp" if spec.cloud == "gcp" else "remove fast_image_pull"
        yield SpecIssue(path, f"fast image pull is nodeadm's, on EKS nodes; {spec.cloud} has no nodeadm", fix)
        return
    resolved = pool_instance_type(spec, spec.node_pools[name]) if spec.region is not None else None
    if resolved is None:
        return
    type_name, itype = resolved
    fast = catalog.efficiency().startup.accelerated
    vcpus, memory = fast.parallel_pull_min_vcpus.value, fast.parallel_pull_min_memory_gib.value
    if itype.vcpus < vcpus or itype.memory_gib < memory:
        yield SpecIssue(
            path,
            f"{type_name} has {itype.vcpus} vCPUs and {itype.memory_gib:g} GiB; nodeadm ignores FastImagePull below "
            f"{vcpus:g} vCPUs or {memory:g} GiB",
            "choose a larger instance_type or remove fast_image_pull",
        )


def warn_fast_pull_on_root_volume(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """Parallel pull onto the root volume is bounded by its throughput: no gain is counted without local NVMe."""
    for name, pool in sorted(spec.node_pools.items()):
        if spec.cloud == "aws" and pool.cold_start.fast_image_pull and not pool.cold_start.local_nvme:
            yield SpecWarning(
                field_path("node_pools", name, "cold_start", "fast_image_pull"),
                "without local_nvme the parallel pull writes to the gp3 root volume at its 125 MiB/s baseline "
                "(nodeadm recommends at least 600 MiB/s), so `size`/`cost` count no gain",
                "set local_nvme: true on a type with instance store",
            )
