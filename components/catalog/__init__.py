"""Facts as data: GPUs, instance/machine types with prices, regions and zones, each with source and date."""

from components.catalog.lookup import (
    CatalogError,
    gpu_instance_types,
    gpus,
    instance_types,
    regions,
)
from components.catalog.schema import Gpu, InstanceType, Region, RegionOffer

__all__ = [
    "CatalogError",
    "Gpu",
    "InstanceType",
    "Region",
    "RegionOffer",
    "gpu_instance_types",
    "gpus",
    "instance_types",
    "regions",
]
