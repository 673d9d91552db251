"""GCP rules: buckets, firewall rules, the GKE control plane, node metadata and project APIs."""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs, Severity

from inferstack.policies.props import as_list, dig, opens_to_world
from inferstack.policies.rule import Report, resource_rule
from inferstack.provider_types import Gcp


def _check_bucket(args: ResourceValidationArgs, report: Report) -> None:
    # GCS encrypts every object at rest and its APIs are HTTPS-only, so "encrypted" and "TLS-only" hold by
    # construction; what a stack can get wrong is public access and lost versions.
    if args.resource_type != Gcp.STORAGE_BUCKET:
        return
    props = args.props
    if props.get("uniformBucketLevelAccess") is not True:
        report("uniform bucket-level access is off (object ACLs could make objects public)")
    if props.get("publicAccessPrevention") != "enforced":
        report("public access prevention is not enforced")
    if dig(props, "versioning", "enabled") is not True:
        report("object versioning is off")


bucket_private = resource_rule(
    "gcp-bucket-private",
    "GCS buckets enforce public access prevention, uniform access and versioning.",
    _check_bucket,
    remediation="Set publicAccessPrevention: enforced, uniformBucketLevelAccess: true, versioning.enabled: true.",
    severity=Severity.CRITICAL,
)


def _check_firewall(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Gcp.FIREWALL:
        return
    props = args.props
    if (props.get("direction") or "INGRESS") != "INGRESS" or not as_list(props.get("allows")):
        return
    if opens_to_world(props.get("sourceRanges")):
        report("firewall rule allows ingress from 0.0.0.0/0 or ::/0")


no_world_ingress = resource_rule(
    "gcp-no-world-ingress",
    "No firewall rule allows ingress from 0.0.0.0/0 or ::/0.",
    _check_firewall,
    remediation="Allow only the VPC's ranges, Google's health-check ranges or named client CIDRs.",
    severity=Severity.CRITICAL,
)


def _check_cluster_encryption(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Gcp.GKE_CLUSTER:
        return
    encryption = args.props.get("databaseEncryption") or {}
    if encryption.get("state") != "ENCRYPTED" or not encryption.get("keyName"):
        report("application-layer secrets encryption with a Cloud KMS key is off")


cluster_secrets_encrypted = resource_rule(
    "gcp-gke-secrets-encrypted",
    "GKE encrypts Kubernetes secrets at the application layer with a customer Cloud KMS key.",
    _check_cluster_encryption,
    remediation="Set databaseEncryption {state: ENCRYPTED, keyName: <crypto key id>}.",
)


def _check_endpoint(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Gcp.GKE_CLUSTER:
        return
    if dig(args.props, "privateClusterConfig", "enablePrivateEndpoint") is True:
        return
    cidrs = [
        dig(block, "cidrBlock") for block in as_list(dig(args.props, "masterAuthorizedNetworksConfig", "cidrBlocks"))
    ]
    if not cidrs or opens_to_world(cidrs):
        report("the control-plane endpoint is public without authorized networks")


cluster_endpoint_restricted = resource_rule(
    "gcp-gke-endpoint-restricted",
    "The GKE control plane is private, or reachable only from authorized networks.",
    _check_endpoint,
    remediation="Use network.api_access for the few CIDRs that need the API, or security_profile: private.",
)


def _check_node_metadata(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != Gcp.GKE_NODE_POOL:
        return
    if dig(args.props, "nodeConfig", "workloadMetadataConfig", "mode") != "GKE_METADATA":
        report("pods can reach the node's metadata server (workload metadata mode must be GKE_METADATA)")
    if dig(args.props, "nodeConfig", "shieldedInstanceConfig", "enableSecureBoot") is not True:
        report("secure boot is off on the pool's shielded nodes")


node_metadata_protected = resource_rule(
    "gcp-node-metadata-protected",
    "GKE nodes hide their metadata server from pods (the GKE counterpart of IMDSv2 hop limit 1) and boot securely.",
    _check_node_metadata,
    remediation="nodeConfig.workloadMetadataConfig.mode: GKE_METADATA and shieldedInstanceConfig.enableSecureBoot.",
)


def _check_api_kept(args: ResourceValidationArgs, report: Report) -> None:
    # A project's APIs serve everything in it: an environment's destroy must never turn one off for the others.
    if args.resource_type != Gcp.PROJECT_SERVICE:
        return
    if args.props.get("disableOnDestroy") is True:
        report(f"destroying this environment disables {args.props.get('service')} for the whole project")
    if args.props.get("disableDependentServices") is True:
        report("destroying it also disables every API that depends on it")


api_never_disabled = resource_rule(
    "gcp-api-never-disabled",
    "An environment enables the project APIs it needs and never disables them on destroy.",
    _check_api_kept,
    remediation="Set disableOnDestroy: false and disableDependentServices: false on gcp.projects.Service.",
)

RULES = [
    bucket_private,
    no_world_ingress,
    cluster_secrets_encrypted,
    cluster_endpoint_restricted,
    node_metadata_protected,
    api_never_disabled,
]
