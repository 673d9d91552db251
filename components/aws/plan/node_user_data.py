"""The user data of a GPU pool's nodes: only what its `cold_start:` asks for, else none at all.

EKS managed node groups on AL2023 merge a MIME multi-part user data's `application/node.eks.aws` parts (nodeadm
NodeConfig documents) with the cluster details EKS writes itself; Karpenter merges an EC2NodeClass's `userData` the
same way. nodeadm's `spec.instance.localStorage.strategy: RAID0` stripes every instance-store disk into one array
mounted at /mnt/k8s-disks and bind-mounts the kubelet's directory (pod emptyDirs), containerd's image store, the SOCI
snapshotter's store and the pod logs onto it (templates/al2023/runtime/bin/setup-local-disks);
`spec.featureGates.FastImagePull: true` switches containerd to the SOCI snapshotter in parallel pull and unpack mode
(no SOCI index needed), which nodeadm ignores on nodes under 4 vCPUs or 7 GiB (amazon-eks-ami
nodeadm/api/v1alpha1/nodeconfig_types.go and internal/containerd/config.go, read 2026-12-03; the AMIs ship it from
v20250821). nodeadm refuses a feature gate it does not know, so an older AMI fails to join rather than pull slowly.
"""

from __future__ import annotations

import base64

from inferstack.spec.models import ColdStartSpec

BOUNDARY = "INFERSTACK"
LOCAL_STORAGE = """  instance:
    localStorage:
      strategy: RAID0
"""
FAST_IMAGE_PULL = """  featureGates:
    FastImagePull: true
"""


def node_config(cold: ColdStartSpec) -> str | None:
    """The nodeadm NodeConfig document a pool's `cold_start:` asks for; None when it asks for nothing on the node."""
    parts = (LOCAL_STORAGE if cold.local_nvme else "") + (FAST_IMAGE_PULL if cold.fast_image_pull else "")
    if not parts:
        return None
    return f"---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n{parts}"


def node_user_data_text(cold: ColdStartSpec) -> str | None:
    """The MIME multi-part user data (plain text, as an EC2NodeClass takes it); None by default."""
    config = node_config(cold)
    if config is None:
        return None
    return (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n'
        f"--{BOUNDARY}\nContent-Type: application/node.eks.aws\n\n{config}\n--{BOUNDARY}--\n"
    )


def node_user_data(cold: ColdStartSpec) -> str | None:
    """Base64 MIME user data for the launch template; None (no user data, the template as before) by default."""
    text = node_user_data_text(cold)
    return base64.b64encode(text.encode()).decode() if text is not None else None
