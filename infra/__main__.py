"""Entry point of `pulumi up`/`pulumi preview`: read the stack's environment spec and build it.

Pulumi runs this file as a script (its folder on `sys.path`), so every import is absolute through the installed
`inferstack` package; the project's virtualenv gets it from `.ci/setup` (`pip install -e .`).
"""

import pulumi

try:
    from inferstack.infra.program import build
    from inferstack.spec import CONFIG_KEY, SpecError
    from inferstack.validation import parse_environment_checked
    from inferstack.validation.provider_config import PROVIDER_KEYS
except ModuleNotFoundError as missing:
    if missing.name != "inferstack":
        raise
    raise pulumi.RunError(
        "the inferstack package is not installed in this program's virtualenv: run .ci/setup in the inferstack "
        "checkout (or `pip install -e .` / `pip install inferstack` in the virtualenv Pulumi.yaml names)"
    ) from None

namespace, key = CONFIG_KEY.split(":", 1)
document = pulumi.Config(namespace).require_object(key)
# The provider settings the stack file check reads (validation/provider_config.py), as Pulumi resolves them.
provider_config = {
    name: value
    for name in sorted({key for keys in PROVIDER_KEYS.values() for key in keys})
    if (value := pulumi.Config(name.split(":", 1)[0]).get(name.split(":", 1)[1])) is not None
}
try:
    checked = parse_environment_checked(document, pulumi.get_stack(), provider_config)
except SpecError as error:
    # RunError prints the message without a Python traceback: a config mistake is not a crash.
    raise pulumi.RunError(str(error)) from None
for warning in checked.warnings:
    pulumi.log.warn(f"warning: {warning}")
build(checked.spec)
