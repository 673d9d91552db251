"""Facts as data: GPUs, instance/machine types with prices, regions and zones, each with source and date."""

from inferstack.catalog.lookup import (
    CatalogError,
    checkpoint_kept_16bit_params_b,
    checkpoint_kv_cache_dtype,
    checkpoint_quantization,
    efficiency,
    gpu_instance_types,
    gpus,
    instance_types,
    model_shape,
    model_shapes,
    regions,
    service_prices,
)
from inferstack.catalog.schema import Gpu, InstanceType, ModelShape, Region, RegionOffer, ServicePrice

__all__ = [
    "CatalogError",
    "Gpu",
    "InstanceType",
    "ModelShape",
    "Region",
    "RegionOffer",
    "ServicePrice",
    "checkpoint_kept_16bit_params_b",
    "checkpoint_kv_cache_dtype",
    "checkpoint_quantization",
    "efficiency",
    "gpu_instance_types",
    "gpus",
    "instance_types",
    "model_shape",
    "model_shapes",
    "regions",
    "service_prices",
]
