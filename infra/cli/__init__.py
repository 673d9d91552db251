"""The `inferstack` command line: list, validate, plan, check, diff, size, cost, deploy and destroy stacks.

Exit codes: 0 success; 1 policy violations (or a failed Pulumi operation); 2 invalid input, reported without
a traceback; 3 an internal failure of the offline engine (a bug to report); 4 this machine cannot deploy
(no Pulumi CLI, no backend login, no credentials) or the deploy was refused.

This module stays import-free: `inferstack --version` answers before typer, rich or the Pulumi SDK load.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    if sys.argv[1:] == ["--version"]:
        # The common probe of a tool's presence (CI, scripts): answer it without building the app.
        from importlib.metadata import version

        print(f"inferstack {version('inferstack')}")
        return
    from inferstack.infra.cli.app import app

    app()
