"""The launch template's user data of a GPU pool: only what its `cold_start:` asks for, else none at all.

EKS managed node groups on AL2023 merge a MIME multi-part user data's `application/node.eks.aws` parts (nodeadm
NodeConfig documents) with the cluster details EKS writes itself. nodeadm's `spec.instance.localStorage.strategy:
RAID0` stripes every instance-store disk into one array mounted at /mnt/k8s-disks and moves containerd's image store
and the pod logs onto it (amazon-eks-ami nodeadm/api/v1alpha1/nodeconfig_types.go, read 2026-12-02: strategies
RAID0, RAID10, Mount; DisabledMount names Containerd and PodLogs).
"""

from __future__ import annotations

import base64

from inferstack.spec.models import ColdStartSpec

BOUNDARY = "INFERSTACK"
NODECONFIG = """---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  instance:
    localStorage:
      strategy: RAID0
"""


def node_user_data(cold: ColdStartSpec) -> str | None:
    """Base64 MIME user data for the launch template; None (no user data, the template as before) by default."""
    if not cold.local_nvme:
        return None
    text = (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n'
        f"--{BOUNDARY}\nContent-Type: application/node.eks.aws\n\n{NODECONFIG}\n--{BOUNDARY}--\n"
    )
    return base64.b64encode(text.encode()).decode()
