"""Entry point of the component provider plugin (run by the Pulumi engine, never imported by inferstack)."""

import sys
from pathlib import Path

# The plugin runs from this directory: make the project's packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi.provider.experimental import component_provider_host

from infra.provider import PROVIDER_COMPONENTS

if __name__ == "__main__":
    component_provider_host(PROVIDER_COMPONENTS, name="inferstack", namespace="inferstack")
