"""The security group rules of an EKS environment as data: every rule explicit, described, none open to the world.

Three groups: the control plane's additional group ("cluster"), the nodes' group ("nodes") and, in the private
profile, the interface endpoints' group ("endpoints"). Rules between groups reference the peer group, never a
CIDR; the only CIDR rules are node egress (to reach registries and AWS APIs) and endpoint ingress from the VPC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SgRole = Literal["cluster", "nodes", "endpoints"]
Direction = Literal["ingress", "egress"]

ANYWHERE = "0.0.0.0/0"
# Kubernetes extensions (metrics-server, admission webhooks of controllers) listen on unprivileged ports.
HIGH_PORTS = (1025, 65535)


@dataclass(frozen=True)
class SgRule:
    """One rule of one group: a peer group or a CIDR, a protocol and port range, and why it exists."""

    key: str
    group: SgRole
    direction: Direction
    protocol: Literal["tcp", "-1"]
    from_port: int | None
    to_port: int | None
    description: str
    peer_group: SgRole | None = None
    cidr: str | None = None


def _tcp(port: int | tuple[int, int]) -> tuple[int, int]:
    return (port, port) if isinstance(port, int) else port


def plan_security_rules(vpc_cidr: str, endpoints: bool) -> list[SgRule]:
    """Every rule of the environment's groups; endpoint rules only when interface endpoints exist."""
    rules: list[SgRule] = []
    for key, port, what in (
        ("kubelet", 10250, "kubelet API (logs, exec, metrics)"),
        ("webhooks", 443, "admission webhooks and aggregated APIs on 443"),
        ("extensions", HIGH_PORTS, "webhooks and aggregated APIs on unprivileged ports"),
    ):
        low, high = _tcp(port)
        rules.append(
            SgRule(f"api-to-{key}", "cluster", "egress", "tcp", low, high, f"Control plane to node {what}", "nodes")
        )
        rules.append(
            SgRule(
                f"{key}-from-api",
                "nodes",
                "ingress",
                "tcp",
                low,
                high,
                f"Node {what} from the control plane",
                "cluster",
            )
        )
    rules += [
        SgRule("nodes-to-api", "cluster", "ingress", "tcp", 443, 443, "Nodes and pods to the Kubernetes API", "nodes"),
        SgRule(
            "node-to-node",
            "nodes",
            "ingress",
            "-1",
            None,
            None,
            "Node-to-node and pod-to-pod traffic (VPC CNI pods use node addresses)",
            "nodes",
        ),
        SgRule(
            "egress",
            "nodes",
            "egress",
            "-1",
            None,
            None,
            "Nodes to image registries, AWS APIs and model hubs (through NAT or VPC endpoints)",
            cidr=ANYWHERE,
        ),
    ]
    if endpoints:
        rules.append(
            SgRule(
                "https-from-vpc",
                "endpoints",
                "ingress",
                "tcp",
                443,
                443,
                "HTTPS from the VPC to the interface endpoints",
                cidr=vpc_cidr,
            )
        )
    return rules
