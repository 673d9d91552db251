"""Entry point of `pulumi up`/`pulumi preview`: read the stack's environment spec and build it."""

import sys
from pathlib import Path

# Pulumi runs this file as a script from the project directory; make the project's packages importable
# even when inferstack is not installed into the virtualenv.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi

from components.spec import CONFIG_KEY, SpecError, parse_environment
from infra.program import build

namespace, key = CONFIG_KEY.split(":", 1)
document = pulumi.Config(namespace).require_object(key)
try:
    spec = parse_environment(document, pulumi.get_stack())
except SpecError as error:
    # RunError prints the message without a Python traceback: a config mistake is not a crash.
    raise pulumi.RunError(str(error)) from None
build(spec)
