"""`python -m inferstack.infra.cli`: the same command line as the `inferstack` console script."""

from inferstack.infra.cli import main

main()
