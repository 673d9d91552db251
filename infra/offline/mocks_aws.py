"""Offline-engine answers for the aws provider: resource types and invokes, added with their components.

Ids follow AWS's formats (vpc-…, subnet-…, sg-…); ARNs name the mock account and MOCK_REGION. Every output a
component reads (an ARN, the cluster endpoint, its CA, the OIDC issuer, a node group's Auto Scaling group) is here.
"""

from __future__ import annotations

import base64

from inferstack.infra.offline.mock_types import (
    MOCK_ACCOUNT,
    InvokeMock,
    MockedResource,
    Props,
    TypeMock,
    prefixed_id,
    provider_id,
)
from inferstack.provider_types import Aws

# Mocked resources do not know the provider's region; ARNs and endpoints use this one.
MOCK_REGION = "us-east-1"


def _input(res: MockedResource, key: str) -> str:
    """An input as text, or the logical name when the input is absent (Pulumi would autoname it)."""
    value = res.inputs.get(key)
    return str(value) if value not in (None, "") else res.name


def _ec2_arn(prefix: str, kind: str) -> TypeMock:
    """An EC2 resource with a prefixed id (sg-…) and an ARN naming its kind (security-group/sg-…)."""
    make_id = prefixed_id(prefix)

    def outputs(res: MockedResource) -> Props:
        return {"arn": f"arn:aws:ec2:{MOCK_REGION}:{MOCK_ACCOUNT}:{kind}/{make_id(res)}", "ownerId": MOCK_ACCOUNT}

    return TypeMock(make_id, outputs)


def _bucket_part(kind: str) -> TypeMock:
    """An S3 bucket sub-resource. AWS keys them by bucket name alone; the kind is appended so mock ids stay
    unique and a reader of the Plan can still tell which resource a `bucket` input points at."""
    return TypeMock(lambda res: f"{_input(res, 'bucket')}#{kind}")


def _uuid(res: MockedResource) -> str:
    return provider_id(res)


def _log_group(res: MockedResource) -> Props:
    name = _input(res, "name")
    return {"name": name, "arn": f"arn:aws:logs:{MOCK_REGION}:{MOCK_ACCOUNT}:log-group:{name}"}


def _role(res: MockedResource) -> Props:
    name = _input(res, "name")
    return {
        "name": name,
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:role/{name}",
        "uniqueId": f"AROA{res.digest[:17].upper()}",
    }


def _oidc_arn(res: MockedResource) -> str:
    host = str(res.inputs.get("url", "")).removeprefix("https://")
    return f"arn:aws:iam::{MOCK_ACCOUNT}:oidc-provider/{host}"


def _cluster(res: MockedResource) -> Props:
    name = _input(res, "name")
    oidc_id = res.digest[:32].upper()
    ca = base64.b64encode(f"-----BEGIN CERTIFICATE-----\nmock CA of {name}\n-----END CERTIFICATE-----\n".encode())
    vpc_config = dict(res.inputs.get("vpcConfig") or {})
    vpc_config["clusterSecurityGroupId"] = f"sg-{res.digest[32:49]}"
    return {
        "name": name,
        "arn": f"arn:aws:eks:{MOCK_REGION}:{MOCK_ACCOUNT}:cluster/{name}",
        "endpoint": f"https://{oidc_id}.gr7.{MOCK_REGION}.eks.amazonaws.com",
        "certificateAuthority": {"data": ca.decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{MOCK_REGION}.amazonaws.com/id/{oidc_id}"}]}],
        "platformVersion": "eks.1",
        "status": "ACTIVE",
        "vpcConfig": vpc_config,
    }


def _node_group_name(res: MockedResource) -> str:
    """The group's name: given, or its prefix and the 26-character unique suffix the provider appends."""
    prefix = res.inputs.get("nodeGroupNamePrefix")
    if isinstance(prefix, str) and prefix and not res.inputs.get("nodeGroupName"):
        return prefix + str(int(res.digest[:20], 16)).zfill(26)[:26]
    return _input(res, "nodeGroupName")


def _node_group(res: MockedResource) -> Props:
    cluster, group = _input(res, "clusterName"), _node_group_name(res)
    prefix = res.inputs.get("nodeGroupNamePrefix")
    base = prefix.rstrip("-") if isinstance(prefix, str) and prefix else group
    return {
        "nodeGroupName": group,
        "arn": f"arn:aws:eks:{MOCK_REGION}:{MOCK_ACCOUNT}:nodegroup/{cluster}/{group}/{provider_id(res)}",
        "status": "ACTIVE",
        "resources": [
            # EKS names it eks-<group>-<uuid>: here after the group's base name (its prefix without the dash), the
            # fixed name a group deployed before the prefix keeps through ignore_changes, with its ASG.
            {"autoscalingGroups": [{"name": f"eks-{base}-{provider_id(res)}"}], "remoteAccessSecurityGroupId": ""}
        ],
    }


def _kms_key(res: MockedResource) -> Props:
    key_id = provider_id(res)
    return {"arn": f"arn:aws:kms:{MOCK_REGION}:{MOCK_ACCOUNT}:key/{key_id}", "keyId": key_id}


def _bucket(res: MockedResource) -> Props:
    name = _input(res, "bucket")
    return {
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{MOCK_REGION}.amazonaws.com",
        "region": MOCK_REGION,
    }


RESOURCES: dict[str, TypeMock] = {
    Aws.PROVIDER: TypeMock(provider_id),
    # Network
    Aws.VPC: TypeMock(
        prefixed_id("vpc"),
        lambda res: {
            "arn": f"arn:aws:ec2:{MOCK_REGION}:{MOCK_ACCOUNT}:vpc/{prefixed_id('vpc')(res)}",
            "mainRouteTableId": prefixed_id("rtb")(res),
            "defaultSecurityGroupId": prefixed_id("sg")(res),
        },
    ),
    Aws.SUBNET: _ec2_arn("subnet", "subnet"),
    Aws.INTERNET_GATEWAY: _ec2_arn("igw", "internet-gateway"),
    Aws.EIP: TypeMock(
        prefixed_id("eipalloc"),
        lambda res: {
            "allocationId": prefixed_id("eipalloc")(res),
            "publicIp": f"198.51.100.{int(res.digest[:2], 16) % 250 + 1}",
        },
    ),
    Aws.NAT_GATEWAY: TypeMock(
        prefixed_id("nat"), lambda res: {"networkInterfaceId": prefixed_id("eni")(res), "state": "available"}
    ),
    Aws.ROUTE_TABLE: _ec2_arn("rtb", "route-table"),
    Aws.ROUTE: TypeMock(prefixed_id("r-rtb")),
    Aws.ROUTE_TABLE_ASSOCIATION: TypeMock(prefixed_id("rtbassoc")),
    Aws.VPC_ENDPOINT: _ec2_arn("vpce", "vpc-endpoint"),
    Aws.FLOW_LOG: _ec2_arn("fl", "vpc-flow-log"),
    Aws.SECURITY_GROUP: _ec2_arn("sg", "security-group"),
    Aws.DEFAULT_SECURITY_GROUP: _ec2_arn("sg", "security-group"),
    Aws.SECURITY_GROUP_INGRESS_RULE: _ec2_arn("sgr", "security-group-rule"),
    Aws.SECURITY_GROUP_EGRESS_RULE: _ec2_arn("sgr", "security-group-rule"),
    Aws.LAUNCH_TEMPLATE: TypeMock(
        prefixed_id("lt"),
        lambda res: {
            "arn": f"arn:aws:ec2:{MOCK_REGION}:{MOCK_ACCOUNT}:launch-template/{prefixed_id('lt')(res)}",
            "latestVersion": 1,
            "defaultVersion": 1,
        },
    ),
    Aws.LOG_GROUP: TypeMock(lambda res: _input(res, "name"), _log_group),
    # Identity and keys
    Aws.IAM_ROLE: TypeMock(lambda res: _input(res, "name"), _role),
    Aws.IAM_ROLE_POLICY: TypeMock(lambda res: f"{_input(res, 'role')}:{_input(res, 'name')}"),
    Aws.IAM_ROLE_POLICY_ATTACHMENT: TypeMock(lambda res: f"{_input(res, 'role')}-{res.digest[:20]}"),
    Aws.OIDC_PROVIDER: TypeMock(_oidc_arn, lambda res: {"arn": _oidc_arn(res)}),
    Aws.KMS_KEY: TypeMock(_uuid, _kms_key),
    Aws.KMS_ALIAS: TypeMock(
        lambda res: _input(res, "name"),
        lambda res: {"arn": f"arn:aws:kms:{MOCK_REGION}:{MOCK_ACCOUNT}:{_input(res, 'name')}"},
    ),
    # EKS
    Aws.EKS_CLUSTER: TypeMock(lambda res: _input(res, "name"), _cluster),
    Aws.EKS_NODE_GROUP: TypeMock(lambda res: f"{_input(res, 'clusterName')}:{_node_group_name(res)}", _node_group),
    Aws.EKS_ADDON: TypeMock(
        lambda res: f"{_input(res, 'clusterName')}:{_input(res, 'addonName')}",
        lambda res: {
            "arn": f"arn:aws:eks:{MOCK_REGION}:{MOCK_ACCOUNT}:addon/{_input(res, 'clusterName')}/"
            f"{_input(res, 'addonName')}/{provider_id(res)}"
        },
    ),
    Aws.EKS_ACCESS_ENTRY: TypeMock(
        lambda res: f"{_input(res, 'clusterName')}:{_input(res, 'principalArn')}",
        lambda res: {"accessEntryArn": f"arn:aws:eks:{MOCK_REGION}:{MOCK_ACCOUNT}:access-entry/{provider_id(res)}"},
    ),
    Aws.EKS_ACCESS_POLICY_ASSOCIATION: TypeMock(
        lambda res: f"{_input(res, 'clusterName')}#{_input(res, 'principalArn')}#{_input(res, 'policyArn')}"
    ),
    Aws.AUTOSCALING_TAG: TypeMock(lambda res: f"{_input(res, 'autoscalingGroupName')},{res.digest[:12]}"),
    # Karpenter's interruption queue: the provider's id is the queue URL.
    Aws.SQS_QUEUE: TypeMock(
        lambda res: f"https://sqs.{MOCK_REGION}.amazonaws.com/{MOCK_ACCOUNT}/{_input(res, 'name')}",
        lambda res: {
            "arn": f"arn:aws:sqs:{MOCK_REGION}:{MOCK_ACCOUNT}:{_input(res, 'name')}",
            "url": f"https://sqs.{MOCK_REGION}.amazonaws.com/{MOCK_ACCOUNT}/{_input(res, 'name')}",
        },
    ),
    Aws.SQS_QUEUE_POLICY: TypeMock(lambda res: _input(res, "queueUrl")),
    Aws.EVENT_RULE: TypeMock(
        lambda res: _input(res, "name"),
        lambda res: {"arn": f"arn:aws:events:{MOCK_REGION}:{MOCK_ACCOUNT}:rule/{_input(res, 'name')}"},
    ),
    Aws.EVENT_TARGET: TypeMock(lambda res: f"default-{_input(res, 'rule')}-{_input(res, 'targetId')}"),
    # Model store
    Aws.S3_BUCKET: TypeMock(lambda res: _input(res, "bucket"), _bucket),
    Aws.S3_PUBLIC_ACCESS_BLOCK: _bucket_part("publicAccessBlock"),
    Aws.S3_OWNERSHIP_CONTROLS: _bucket_part("ownershipControls"),
    Aws.S3_ENCRYPTION: _bucket_part("serverSideEncryptionConfiguration"),
    Aws.S3_VERSIONING: _bucket_part("versioning"),
    Aws.S3_POLICY: _bucket_part("policy"),
    Aws.S3_LIFECYCLE: _bucket_part("lifecycleConfiguration"),
    Aws.S3_LOGGING: _bucket_part("logging"),
}

INVOKES: dict[str, InvokeMock] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _args, _provider: {
        "accountId": MOCK_ACCOUNT,
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/offline",
        "userId": "AIDAOFFLINEOFFLINE",
        "id": MOCK_ACCOUNT,
    },
    "aws:index/getPartition:getPartition": lambda _args, _provider: {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    },
}
