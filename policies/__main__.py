"""Entry point of the CrossGuard policy host: builds the PolicyPack (which starts its server and never returns)."""

import sys

from pulumi_policy import EnforcementLevel, PolicyPack

try:
    from inferstack.policies.pack import ALL_RULES, PACK_NAME
except ModuleNotFoundError as missing:
    if missing.name != "inferstack":
        raise
    sys.exit(
        "the inferstack package is not installed in the policy pack's virtualenv (PulumiPolicy.yaml): run .ci/setup"
    )

PolicyPack(name=PACK_NAME, policies=list(ALL_RULES), enforcement_level=EnforcementLevel.MANDATORY)
