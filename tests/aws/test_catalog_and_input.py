"""The EKS catalog covers every AWS GPU type, and bad AWS input is an exit-2 error with a path and a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from inferstack import catalog
from inferstack.aws.plan.nodes import plan_eks_gpu_pool
from inferstack.catalog.eks import eks_catalog, gpu_ami_type
from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.spec import EnvironmentSpec
from inferstack.spec.models import ClusterSpec

AWS_GPU_TYPES = sorted(name for name, itype in catalog.instance_types("aws").items() if itype.gpu)


@pytest.mark.parametrize("name", AWS_GPU_TYPES)
def test_every_aws_gpu_type_resolves_to_an_ami_and_a_pool_in_each_region(name: str) -> None:
    itype = catalog.instance_types("aws")[name]
    assert itype.gpu is not None and gpu_ami_type(itype.gpu) is not None
    for region, offer in itype.regions.items():
        spec = EnvironmentSpec.model_validate(
            {
                "name": "t",
                "cloud": "aws",
                "region": region,
                "zones": list(catalog.regions("aws")[region].zones[:2]),
                "node_pools": {"p": {"gpu": itype.gpu, "gpus_per_node": itype.gpus, "instance_type": name}},
            }
        )
        zones = set(spec.zones or []) & set(offer.zones)
        if zones:
            plan = plan_eks_gpu_pool(spec, "p")
            assert plan.instance_types == (name,) and set(plan.zones) == zones


def test_eks_releases_pin_every_core_addon_and_a_matching_autoscaler() -> None:
    data = eks_catalog()
    default = ClusterSpec().kubernetes_version
    assert default in data.kubernetes_versions
    for version, release in data.kubernetes_versions.items():
        assert set(release.addons) == {"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"}
        # A null build is one no source showed for this minor (EKS then installs its default): said in the file.
        assert all(build is None or "eksbuild" in build for build in release.addons.values())
        assert None not in release.addons.values() or "no build" in release.source
        assert release.cluster_autoscaler.image_tag.startswith(f"v{version}.")
        assert (release.addons["kube-proxy"] or "").startswith(f"v{version}.")
        assert release.source and release.as_of


runner = CliRunner()
BASE: dict[str, Any] = {
    "cloud": "aws",
    "region": "us-east-1",
    "zones": ["use1-az1", "use1-az2"],
    "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 2}},
}


def _unoffered() -> tuple[str, str]:
    """A GPU instance type and a catalog region that does not offer it."""
    regions = set(catalog.regions("aws"))
    for name in AWS_GPU_TYPES:
        missing = sorted(regions - set(catalog.instance_types("aws")[name].regions))
        if missing:
            return name, missing[0]
    raise AssertionError("every type is offered everywhere: pick another bad-input example")


def _unoffered_case() -> dict[str, Any]:
    name, region = _unoffered()
    itype = catalog.instance_types("aws")[name]
    pool = {"gpu": itype.gpu, "gpus_per_node": itype.gpus, "instance_type": name}
    zones = list(catalog.regions("aws")[region].zones[:2])
    return {**BASE, "region": region, "zones": zones, "node_pools": {"l4": pool}}


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "type-not-offered": (
        _unoffered_case(),
        "environment.node_pools.l4.instance_type: " + _unoffered()[0] + " is not offered in",
    ),
    "pool-max-0": ({**BASE, "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 0}}}, "environment.node_pools.l4.max"),
    "overlapping-cidrs": (
        {**BASE, "network": {"cidr": "10.0.0.0/16", "services_cidr": "10.0.128.0/17"}},
        "environment.network.services_cidr: 10.0.128.0/17 overlaps the VPC range",
    ),
    "per-zone-nat-one-zone": (
        {**BASE, "zones": ["use1-az1"], "network": {"nat": "per_zone"}},
        "environment.network.nat: per_zone NAT needs 2 or more zones (got 1)",
    ),
    "unpinned-kubernetes": (
        {**BASE, "cluster": {"kubernetes_version": "1.27"}},
        "environment.cluster.kubernetes_version: no pinned EKS add-ons for Kubernetes 1.27",
    ),
    "admin-not-an-arn": (
        {**BASE, "cluster": {"admins": ["alice@example.com"]}},
        "environment.cluster.admins[0]: 'alice@example.com' is not an IAM role or user ARN",
    ),
    "reserved-pool-name": (
        {**BASE, "node_pools": {"system": {"gpu": "nvidia-l4"}}},
        "environment.node_pools.system: the name system is reserved",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_aws_input_exits_2_with_path_and_no_traceback(tmp_path: Path, case: str) -> None:
    document, expected = CASES[case]
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump({"config": {"inferstack:environment": document}}))
    result = runner.invoke(app, ["plan", str(path)])
    assert result.exit_code == EXIT_INVALID, result.output
    assert "Traceback" not in result.output
    assert expected in result.output.replace("\n", " ")
