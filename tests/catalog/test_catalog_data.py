"""Validate the catalog data files against the schema and check their cross-references."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inferstack import catalog
from inferstack.catalog.eks import eks_catalog
from inferstack.catalog.schema import Cloud, Gpu, InstanceType, Region

DATA = Path(__file__).resolve().parents[2] / "components" / "catalog" / "data"


def _load(name: str) -> dict:
    with (DATA / name).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict) and data, f"{name} must be a non-empty mapping"
    return data


@pytest.fixture(scope="module")
def gpus() -> dict[str, Gpu]:
    return {key: Gpu.model_validate(entry) for key, entry in _load("gpus.yaml").items()}


@pytest.fixture(scope="module")
def regions() -> dict[str, dict[str, Region]]:
    raw = _load("regions.yaml")
    assert set(raw) == {"aws", "gcp"}
    return {
        cloud: {name: Region.model_validate(entry) for name, entry in table.items()} for cloud, table in raw.items()
    }


@pytest.fixture(scope="module")
def aws_types() -> dict[str, InstanceType]:
    return {key: InstanceType.model_validate(entry) for key, entry in _load("aws_instance_types.yaml").items()}


@pytest.fixture(scope="module")
def gcp_types() -> dict[str, InstanceType]:
    return {key: InstanceType.model_validate(entry) for key, entry in _load("gcp_machine_types.yaml").items()}


REQUIRED_GPUS = {
    "nvidia-t4",
    "nvidia-a10g",
    "nvidia-l4",
    "nvidia-l40s",
    "nvidia-a100-40gb",
    "nvidia-a100-80gb",
    "nvidia-h100-sxm",
    "nvidia-h100-pcie",
    "nvidia-h200",
    "nvidia-b200",
}
REQUIRED_REGIONS = {
    "aws": {
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-west-2",
        "eu-central-1",
        "eu-north-1",
        "ap-northeast-1",
        "ap-south-1",
        "ap-southeast-2",
    },
    "gcp": {
        "us-central1",
        "us-east1",
        "us-east4",
        "us-west1",
        "europe-west1",
        "europe-west4",
        "asia-northeast1",
        "asia-southeast1",
    },
}


def test_required_gpus_present(gpus: dict[str, Gpu]) -> None:
    assert set(gpus) >= REQUIRED_GPUS


def test_gpu_figures_are_dense_and_consistent(gpus: dict[str, Gpu]) -> None:
    for key, g in gpus.items():
        if g.fp8_dense_tflops is not None:
            # FP8 is twice BF16 on Hopper/Ada/Blackwell; a 4x ratio would mean a sparse figure slipped in.
            assert 1.5 <= g.fp8_dense_tflops / g.fp16_dense_tflops <= 2.5, key
        if g.fp4_dense_tflops is not None:
            # Dense FP4 is twice dense FP8 on Blackwell; only a GPU with FP8 tensor cores has FP4 ones.
            assert g.fp8_dense_tflops is not None and g.fp4_dense_tflops == 2 * g.fp8_dense_tflops, key
        # FP16 and BF16 tensor rates are equal wherever BF16 exists.
        assert g.bf16_dense_tflops in (None, g.fp16_dense_tflops), key
    for key in ("nvidia-t4", "nvidia-a10g", "nvidia-a100-40gb", "nvidia-a100-80gb"):
        assert gpus[key].fp8_dense_tflops is None, key
    assert gpus["nvidia-t4"].bf16_dense_tflops is None, "T4 has no BF16"


def test_gpu_memory_is_the_driver_reported_total(gpus: dict[str, Gpu]) -> None:
    # Sizing reads memory_gib; where nvidia-smi's total is recorded it must be that total, not the datasheet GB.
    for key, g in gpus.items():
        if g.memory_mib is not None:
            assert g.memory_gib == pytest.approx(g.memory_mib / 1024, abs=0.001), key
    # GDDR parts sold as "24 GB" report well under 24 GiB: the datasheet figure must not creep back.
    for key in ("nvidia-l4", "nvidia-a10g"):
        assert gpus[key].memory_mib is not None and gpus[key].memory_gib < 22.6, key
    assert gpus["nvidia-l40s"].memory_gib < 45.1


def test_keys_are_lowercase(gpus, regions, aws_types, gcp_types) -> None:
    for table in (gpus, regions["aws"], regions["gcp"], aws_types, gcp_types):
        for key in table:
            assert key == key.lower(), key


def test_required_regions_present(regions) -> None:
    for cloud, names in REQUIRED_REGIONS.items():
        assert names <= set(regions[cloud]), cloud


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_every_region_offers_the_default_system_type_and_a_gpu(cloud: Cloud, regions) -> None:
    # A stack may name any catalog region: its system pool and at least one GPU pool must be buildable there.
    from inferstack.planning.defaults import DEFAULT_SYSTEM_TYPES

    types = catalog.instance_types(cloud)
    for region in regions[cloud]:
        assert region in types[DEFAULT_SYSTEM_TYPES[cloud]].regions, f"{cloud}/{region}: no system type"
        assert any(t.gpus and region in t.regions for t in types.values()), f"{cloud}/{region}: no GPU type"


def test_zones_belong_to_their_region(regions) -> None:
    for name, region in regions["gcp"].items():
        assert all(z.startswith(name + "-") for z in region.zones), name
        assert len(set(region.zones)) == len(region.zones)
    for region in regions["aws"].values():
        assert len(set(region.zones)) == len(region.zones)


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_instance_types_cross_references(cloud, gpus, regions, aws_types, gcp_types) -> None:
    types = aws_types if cloud == "aws" else gcp_types
    for key, t in types.items():
        # gpus == 0 iff gpu is null
        assert (t.gpu is None) == (t.gpus == 0), key
        if t.gpu is not None:
            assert t.gpu in gpus, f"{key}: unknown GPU {t.gpu}"
        if cloud == "aws":
            assert t.accelerator_type is None, key
        elif t.gpus > 0:
            assert t.accelerator_type, f"{key}: GCP GPU type needs accelerator_type"
        else:
            assert t.accelerator_type is None, key
        for region_name, offer in t.regions.items():
            assert region_name in regions[cloud], f"{key}: region {region_name} not in regions.yaml"
            known = set(regions[cloud][region_name].zones)
            unknown = set(offer.zones) - known
            assert not unknown, f"{key}/{region_name}: zones {sorted(unknown)} not in regions.yaml"
            assert len(set(offer.zones)) == len(offer.zones), key
            if offer.spot_usd_per_hour is not None:
                assert offer.spot_usd_per_hour < offer.on_demand_usd_per_hour, f"{key}/{region_name}"


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_every_price_built_from_table_rows_is_their_sum(cloud, aws_types, gcp_types) -> None:
    # A machine priced from a table (GCP: host row + GPU rows) must equal the rows it cites, on-demand and spot.
    for key, t in (aws_types if cloud == "aws" else gcp_types).items():
        for region_name, offer in t.regions.items():
            if not offer.parts:
                continue
            on_demand = sum(part.count * part.on_demand for part in offer.parts)
            assert offer.on_demand_usd_per_hour == pytest.approx(on_demand, abs=1e-4), f"{key}/{region_name}"
            spots = [part.spot for part in offer.parts]
            if any(spot is None for spot in spots):
                assert offer.spot_usd_per_hour is None, f"{key}/{region_name}: spot without every row's spot"
            else:
                spot = sum(part.count * (part.spot or 0.0) for part in offer.parts)
                assert offer.spot_usd_per_hour == pytest.approx(spot, abs=1e-4), f"{key}/{region_name}"
            # The GPU rows must add up to the machine's GPUs (per-GPU rows counted, or one row for all of them).
            gpu_rows = [part for part in offer.parts if " GPU " in part.row]
            assert t.gpus == 0 or sum(part.count for part in gpu_rows) in (1, t.gpus), f"{key}/{region_name}"


def test_every_gcp_gpu_offer_is_built_from_rows(gcp_types) -> None:
    # GCP lists GPU machines as host and GPU rows; an offer without them is a total nobody can re-check.
    for key, t in gcp_types.items():
        if t.gpus:
            assert all(offer.parts for offer in t.regions.values()), key


def test_required_instance_types_present(aws_types, gcp_types) -> None:
    assert {
        "g4dn.xlarge",
        "g4dn.12xlarge",
        "g5.xlarge",
        "g5.2xlarge",
        "g5.12xlarge",
        "g5.48xlarge",
        "g6.xlarge",
        "g6.2xlarge",
        "g6.4xlarge",
        "g6.12xlarge",
        "g6.48xlarge",
        "g6e.xlarge",
        "g6e.12xlarge",
        "g6e.48xlarge",
        "p4d.24xlarge",
        "p4de.24xlarge",
        "p5.48xlarge",
        "p5.4xlarge",
        "p6-b200.48xlarge",
        "m6i.large",
        "m6i.xlarge",
        "m7i.large",
        "m7i.xlarge",
    } <= set(aws_types)
    assert {
        "g2-standard-4",
        "g2-standard-8",
        "g2-standard-12",
        "g2-standard-24",
        "g2-standard-48",
        "g2-standard-96",
        "a2-highgpu-1g",
        "a2-highgpu-2g",
        "a2-highgpu-4g",
        "a2-highgpu-8g",
        "a2-ultragpu-1g",
        "a2-ultragpu-8g",
        "a3-highgpu-8g",
        "a3-megagpu-8g",
        "a3-ultragpu-8g",
        "a4-highgpu-8g",
        "e2-standard-4",
        "n2-standard-4",
        "n2-standard-8",
    } <= set(gcp_types)


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_service_prices_name_regions_inferstack_knows(cloud: Cloud) -> None:
    known = set(catalog.regions(cloud))
    for key, price in catalog.service_prices(cloud).items():
        # A price without a region is global; a regional one names the region it is from, and its others are known.
        assert price.region is None or price.region in known, key
        assert set(price.regions) <= known, key
        assert not (price.region is None and price.regions), f"{key}: a global price lists no regional prices"


def test_a_regional_price_falls_back_to_its_reference_region_by_name() -> None:
    nat = catalog.service_prices("aws")["nat_gateway"]
    assert nat.price_in("us-west-2") == (nat.regions["us-west-2"], "us-west-2")
    assert nat.price_in("ap-northeast-1") == (nat.usd, "us-east-1")
    assert catalog.service_prices("aws")["kms_key"].price_in("eu-west-1") == (1.0, "all regions")


def _version_tuple(build: str) -> tuple[int, ...]:
    return tuple(int(part) for part in build.lstrip("v").split("-")[0].split("."))


def test_pinned_addon_builds_accept_their_configuration() -> None:
    # A pinned vpc-cni older than the first build with a network policy agent would reject enableNetworkPolicy.
    data = eks_catalog()
    for addon, configuration in data.addon_configuration.items():
        for version, release in data.kubernetes_versions.items():
            build = release.addons[addon]
            if build is not None:
                assert _version_tuple(build) >= _version_tuple(configuration.min_version), (version, addon, build)
        assert configuration.source and configuration.as_of
