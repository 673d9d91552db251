"""Entry point of the component provider plugin (run by the Pulumi engine, never imported by inferstack)."""

import sys

from pulumi.provider.experimental import component_provider_host

try:
    from inferstack.infra.provider import PROVIDER_COMPONENTS
except ModuleNotFoundError as missing:
    if missing.name != "inferstack":
        raise
    sys.exit("the inferstack package is not installed in the provider's virtualenv (PulumiPlugin.yaml): run .ci/setup")

if __name__ == "__main__":
    component_provider_host(PROVIDER_COMPONENTS, name="inferstack", namespace="inferstack")
