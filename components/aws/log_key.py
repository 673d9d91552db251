"""The environment's CloudWatch Logs key: one customer key, rotating, usable by CloudWatch Logs for its own groups."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from inferstack.aws.plan.key_policies import logs_key_policy


def logs_key(
    name: str,
    *,
    environment: str,
    account_id: pulumi.Input[str],
    region: str,
    log_groups: Sequence[str],
    protect: bool,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.kms.Key:
    """Create the key (and its alias) the environment's log groups are encrypted with.

    Protected like the logs themselves: a deleted key makes every log line encrypted with it unreadable.
    """
    key = aws.kms.Key(
        f"{name}-logs-key",
        description=f"Encryption of the CloudWatch log groups of {environment}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.from_input(account_id).apply(
            lambda account: json.dumps(logs_key_policy(account, region, log_groups))
        ),
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect)),
    )
    aws.kms.Alias(f"{name}-logs-key", name=f"alias/{environment}-logs", target_key_id=key.key_id, opts=opts)
    return key
