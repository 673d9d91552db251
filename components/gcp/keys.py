"""GcpKeyRing: the environment's Cloud KMS key ring and its rotating keys, each usable by one Google agent."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plan.keys import KMS_ENCRYPTER_ROLE, GcpKeyRingPlan

TYPE_TOKEN = "inferstack:index:GcpKeyRing"


class GcpKeyRing(pulumi.ComponentResource):
    """A regional key ring with one 90-day-rotating key per entry of `agents`, usable by that agent only.

    Cloud KMS never deletes key rings or keys (destroying a key only schedules its versions for
    destruction), so a protected stack also protects them from an accidental `pulumi destroy`.
    """

    ring: gcp.kms.KeyRing

    def __init__(
        self,
        name: str,
        plan: GcpKeyRingPlan,
        agents: Mapping[str, pulumi.Input[str]],
        *,
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        kept = pulumi.ResourceOptions(parent=self, protect=protect)
        self.ring = gcp.kms.KeyRing(f"{name}-ring", name=plan.ring_name, location=plan.location, opts=kept)
        self.keys: dict[str, gcp.kms.CryptoKey] = {}
        self.bindings: dict[str, gcp.kms.CryptoKeyIAMMember] = {}
        for key, member in agents.items():
            self.keys[key] = gcp.kms.CryptoKey(
                f"{name}-{key}",
                name=key,
                key_ring=self.ring.id,
                purpose="ENCRYPT_DECRYPT",
                rotation_period=plan.rotation_period,
                labels=plan.resource_labels,
                opts=kept,
            )
            self.bindings[key] = gcp.kms.CryptoKeyIAMMember(
                f"{name}-{key}-agent",
                crypto_key_id=self.keys[key].id,
                role=KMS_ENCRYPTER_ROLE,
                member=member,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"key_ring": self.ring.id, **{key: value.id for key, value in self.keys.items()}})
