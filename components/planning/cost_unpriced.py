"""Resource types the cost model does not price, each with the reason: free, or billed through another row.

Every type a Plan can hold is either priced (`cost.PRICERS`) or listed here; a test fails on a type that is
neither, so a new resource type gets a pricing decision instead of a silent zero.
"""

from __future__ import annotations

from inferstack.provider_types import GATEWAY_RESOURCES, Aws, Gcp, K8s

# Component resources hold nothing billable themselves (their children are priced), nor do provider objects.
UNPRICED_PREFIXES: tuple[str, ...] = ("inferstack:index:", "pulumi:providers:")

_CONFIG = "configuration only: no charge"
_IAM = "IAM: no charge"
_K8S = "a Kubernetes object: runs on the priced nodes"

NOT_PRICED: dict[str, str] = {
    Aws.PROVIDER: "provider configuration",
    Aws.VPC: "no charge for a VPC",
    Aws.SUBNET: "no charge for a subnet",
    Aws.INTERNET_GATEWAY: "no charge for an internet gateway (egress is traffic)",
    Aws.ROUTE_TABLE: _CONFIG,
    Aws.ROUTE: _CONFIG,
    Aws.ROUTE_TABLE_ASSOCIATION: _CONFIG,
    Aws.FLOW_LOG: "billed as log ingestion of its log group (priced there)",
    Aws.SECURITY_GROUP: _CONFIG,
    Aws.DEFAULT_SECURITY_GROUP: _CONFIG,
    Aws.SECURITY_GROUP_RULE: _CONFIG,
    Aws.SECURITY_GROUP_INGRESS_RULE: _CONFIG,
    Aws.SECURITY_GROUP_EGRESS_RULE: _CONFIG,
    Aws.LAUNCH_TEMPLATE: "no charge itself; its volumes are priced on the node group that uses it",
    Aws.IAM_ROLE: _IAM,
    Aws.IAM_ROLE_POLICY: _IAM,
    Aws.IAM_ROLE_POLICY_ATTACHMENT: _IAM,
    Aws.OIDC_PROVIDER: _IAM,
    Aws.KMS_ALIAS: "no charge for an alias (the key is priced)",
    Aws.EKS_ADDON: "no charge for EKS add-ons (their pods run on the priced nodes)",
    Aws.EKS_ACCESS_ENTRY: _IAM,
    Aws.EKS_ACCESS_POLICY_ASSOCIATION: _IAM,
    Aws.AUTOSCALING_TAG: _CONFIG,
    # Karpenter's interruption messages are a handful a day, inside SQS's free million requests a month.
    Aws.SQS_QUEUE: "SQS: the first million requests a month are free (interruption messages are few)",
    Aws.SQS_QUEUE_POLICY: _CONFIG,
    Aws.EVENT_RULE: "EventBridge: AWS service events on the default bus are free",
    Aws.EVENT_TARGET: _CONFIG,
    Aws.S3_PUBLIC_ACCESS_BLOCK: _CONFIG,
    Aws.S3_OWNERSHIP_CONTROLS: _CONFIG,
    Aws.S3_ENCRYPTION: "configuration only (SSE-KMS requests are per-request, not modelled)",
    Aws.S3_ENCRYPTION_V2: "configuration only (SSE-KMS requests are per-request, not modelled)",
    Aws.S3_VERSIONING: "configuration only (noncurrent versions are storage, expired by the lifecycle rule)",
    Aws.S3_VERSIONING_V2: "configuration only (noncurrent versions are storage, expired by the lifecycle rule)",
    Aws.S3_POLICY: _CONFIG,
    Aws.S3_LIFECYCLE: _CONFIG,
    Aws.S3_LOGGING: "configuration only (the access logs are storage in the log bucket, small beside weights)",
    Gcp.PROVIDER: "provider configuration",
    Gcp.NETWORK: "no charge for a VPC network",
    Gcp.SUBNETWORK: "no charge for a subnetwork (flow logs, if enabled, bill as logging)",
    Gcp.FIREWALL: _CONFIG,
    Gcp.ROUTER: "no charge for a Cloud Router without BGP sessions to on-premises",
    Gcp.KMS_KEY_RING: "no charge for a key ring (its key versions are priced)",
    Gcp.KMS_CRYPTO_KEY_IAM_MEMBER: _IAM,
    Gcp.SERVICE_ACCOUNT: _IAM,
    Gcp.SERVICE_ACCOUNT_IAM_MEMBER: _IAM,
    Gcp.PROJECT_IAM_MEMBER: _IAM,
    Gcp.PROJECT_SERVICE: "no charge for enabling an API; its resources bill on their own",
    Gcp.STORAGE_BUCKET_IAM_MEMBER: _IAM,
    Gcp.LOG_BUCKET_CONFIG: "Cloud Logging bills ingestion beyond a free monthly allowance: volume not modelled",
    Gcp.LOG_SINK: "routing only; what it routes bills as Cloud Logging ingestion (not modelled)",
    K8s.PROVIDER: "provider configuration",
    K8s.NAMESPACE: _K8S,
    K8s.SERVICE_ACCOUNT: _K8S,
    K8s.SECRET: _K8S,
    K8s.CONFIG_MAP: _K8S,
    K8s.PERSISTENT_VOLUME_CLAIM: "its volume is provisioned by the cluster's storage class: not modelled",
    K8s.STORAGE_CLASS: "a Kubernetes object; the volumes it provisions are billed through their claims",
    K8s.POD: _K8S,
    K8s.DEPLOYMENT: _K8S,
    K8s.STATEFUL_SET: _K8S,
    K8s.DAEMON_SET: _K8S,
    K8s.REPLICA_SET: _K8S,
    K8s.JOB: _K8S,
    K8s.CRON_JOB: _K8S,
    K8s.POD_DISRUPTION_BUDGET: _K8S,
    K8s.NETWORK_POLICY: _K8S,
    K8s.CLUSTER_ROLE: _K8S,
    K8s.CLUSTER_ROLE_BINDING: _K8S,
    K8s.HELM_RELEASE: "its pods run on the priced nodes (a chart's LoadBalancer would not be seen: none is installed)",
    K8s.SCALED_OBJECT: _K8S,
    K8s.INTERCEPTOR_ROUTE: _K8S,
    K8s.POD_MONITOR: _K8S,
    K8s.PROMETHEUS_RULE: _K8S,
    K8s.ROLE: _K8S,
    K8s.ROLE_BINDING: _K8S,
    K8s.CUSTOM_RESOURCE_DEFINITION: _K8S,
    # The gateway's proxies, pickers and Redis run on the priced system nodes; its load balancer is priced on the
    # EnvoyProxy that asks for it (planning/cost.py).
    **{token: _K8S for token in sorted(GATEWAY_RESOURCES - {K8s.ENVOY_PROXY})},
    K8s.KARPENTER_NODE_CLASS: "configuration of the nodes its NodePool launches (priced on the NodePool)",
}
