"""Entry point of the CrossGuard policy host: builds the PolicyPack (which starts its server and never returns)."""

import sys
from pathlib import Path

# The policy host runs this file as a script from policies/: make the project's packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.pack import ALL_RULES, PACK_NAME

PolicyPack(name=PACK_NAME, policies=list(ALL_RULES), enforcement_level=EnforcementLevel.MANDATORY)
