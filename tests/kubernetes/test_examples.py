"""ExistingCluster with only its required arguments, under the offline engine: a provider and nothing else."""

from __future__ import annotations

from inferstack import EnvironmentSpec, ExistingCluster
from inferstack.infra.offline.engine import run_offline


def test_existing_cluster_example() -> None:
    seen: dict[str, ExistingCluster] = {}

    def program() -> None:
        seen["cluster"] = ExistingCluster(
            "laptop", EnvironmentSpec.model_validate({"name": "laptop", "cloud": "kubernetes"})
        )

    plan = run_offline(program, stack="example")
    assert sorted(r.type for r in plan.resources) == ["inferstack:index:ExistingCluster", "pulumi:providers:kubernetes"]
    (provider,) = plan.of_type("pulumi:providers:kubernetes")
    # Server-side apply lets KEDA own the replica count the Deployment leaves unset.
    assert provider.inputs["enableServerSideApply"] in (True, "true")
    target = seen["cluster"].target
    assert (target.pools, target.needs_device_plugin, target.minimal_addons) == ({}, False, True)
    assert target.model_store_uri is None
    assert seen["cluster"].outputs == {"kubeconfig_context": "(current)"}


def test_existing_cluster_uses_the_spec_context() -> None:
    spec = EnvironmentSpec.model_validate(
        {"name": "laptop", "cloud": "kubernetes", "cluster": {"kubeconfig_context": "kind-inferstack"}}
    )
    plan = run_offline(lambda: ExistingCluster("laptop", spec) and None, stack="example")
    (provider,) = plan.of_type("pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "kind-inferstack"
