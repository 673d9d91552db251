"""What the environment logs on AWS, as data: the log groups' names and the control-plane log types.

The logs key's policy names the log groups it may encrypt, so their names are decided here, once, for the
components that create the groups and the key that guards them.
"""

from __future__ import annotations

from inferstack.spec.models import EnvironmentSpec

# Every EKS control-plane log type (EKS User Guide, control plane logs); development stacks keep the three an
# incident review needs first, production all of them.
ALL_CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
DEV_CONTROL_PLANE_LOGS = ("api", "audit", "authenticator")


def control_plane_log_group(cluster_name: str) -> str:
    """The group EKS writes control-plane logs to (fixed by EKS: /aws/eks/<cluster>/cluster)."""
    return f"/aws/eks/{cluster_name}/cluster"


def flow_log_group(network_name: str) -> str:
    """The VPC flow-log group of a network component."""
    return f"/inferstack/{network_name}/vpc-flow-logs"


def control_plane_log_types(spec: EnvironmentSpec) -> tuple[str, ...]:
    """The control-plane log types EKS sends: all five in production, else api, audit and authenticator."""
    return ALL_CONTROL_PLANE_LOGS if spec.production else DEV_CONTROL_PLANE_LOGS


def environment_log_groups(spec: EnvironmentSpec, network_name: str) -> tuple[str, ...]:
    """Every CloudWatch log group the environment creates (what the logs key may encrypt)."""
    groups = [control_plane_log_group(spec.name)]
    if spec.network.flow_logs:
        groups.append(flow_log_group(network_name))
    return tuple(groups)
