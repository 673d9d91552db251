"""Running inferstack: the Pulumi program, the offline engine, the CLI and deploys."""
