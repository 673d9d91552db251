"""No refactor destroys a shipped stack's resources: every recorded identity is kept or aliased."""

from __future__ import annotations

import pytest

from inferstack.infra.review.identity import Identity, former_identities, identity_of, lost_identities
from inferstack.validation import load_stack_file
from tests.conftest import REPO, shipped_plan, shipped_stacks

IDENTITIES = REPO / "tests" / "identities"


def recorded(stack: str) -> list[Identity]:
    return [Identity.parse(line) for line in (IDENTITIES / f"{stack}.txt").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_no_identity_is_lost_without_an_alias(stack: str) -> None:
    plan = shipped_plan(stack)
    lost = lost_identities(recorded(stack), plan)
    assert not lost, (
        f"{len(lost)} resource(s) of {stack} would be destroyed and recreated:\n  "
        + "\n  ".join(item.line() for item in lost)
        + "\nAdd pulumi.Alias(name=<old name>) to each, or, if the replacement is intended, regenerate with "
        + f".venv/bin/python -m inferstack.infra.review.identity {stack} > tests/identities/{stack}.txt"
    )
    # A resource renamed through an alias is not new: the files keep the deployed identities, so removing an
    # alias (before every deployed stack has been updated past the rename) fails the check above.
    formers = former_identities(plan)
    known = set(recorded(stack))
    new = sorted(
        identity_of(resource)
        for resource in plan.resources
        if identity_of(resource) not in known and not formers[resource.urn] & known
    )
    assert not new, f"new resources in {stack}: regenerate tests/identities/{stack}.txt (see the README)"


def test_stateful_resources_are_protected_in_prod_stacks() -> None:
    stateful = ("aws:s3/bucket:Bucket", "aws:kms/key:Key", "gcp:storage/bucket:Bucket", "gcp:kms/cryptoKey:CryptoKey")
    for stack in ("aws-prod", "gcp-prod"):
        spec = load_stack_file(shipped_stacks()[stack])
        assert spec.model_store.protect is not False and spec.production
        plan = shipped_plan(stack)
        found = [r for r in plan.resources if r.type in stateful]
        assert found, stack
        assert all(r.protect for r in found), [r.name for r in found if not r.protect]
    dev = shipped_plan("aws-dev")
    assert not any(r.protect for r in dev.resources), "dev stacks stay deletable"
