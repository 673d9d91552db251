"""Provider type tokens: the one table of the resource types inferstack creates, prices, mocks or checks.

A token (`aws:ec2/vpc:Vpc`) is how the engine, a Plan and a policy name a resource type. Spelled once here, a
typo is one failing test (tests/test_provider_types.py checks each against its SDK class) instead of a policy
rule or a price that silently never matches. Plain strings only: the catalog, the spec and the planners may
read this without importing Pulumi. Members are `str`, so they compare and hash like the engine's tokens.
"""

from __future__ import annotations

from enum import StrEnum


class Aws(StrEnum):
    """pulumi-aws resource types."""

    PROVIDER = "pulumi:providers:aws"
    # Network
    VPC = "aws:ec2/vpc:Vpc"
    SUBNET = "aws:ec2/subnet:Subnet"
    INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
    EIP = "aws:ec2/eip:Eip"
    NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
    ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
    ROUTE = "aws:ec2/route:Route"
    ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
    VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
    FLOW_LOG = "aws:ec2/flowLog:FlowLog"
    SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
    DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
    SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    SECURITY_GROUP_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
    LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
    LB_LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
    ALB_LOAD_BALANCER = "aws:alb/loadBalancer:LoadBalancer"
    LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
    # Identity and keys
    IAM_ROLE = "aws:iam/role:Role"
    IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
    IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    KMS_KEY = "aws:kms/key:Key"
    KMS_ALIAS = "aws:kms/alias:Alias"
    # EKS
    EKS_CLUSTER = "aws:eks/cluster:Cluster"
    EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
    EKS_ADDON = "aws:eks/addon:Addon"
    EKS_ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
    EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
    AUTOSCALING_TAG = "aws:autoscaling/tag:Tag"
    # Karpenter's interruption queue and the EventBridge rules that feed it
    SQS_QUEUE = "aws:sqs/queue:Queue"
    SQS_QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
    EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
    EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
    # S3 (the V2 types are the provider's older spellings; rules and prices accept them too)
    S3_BUCKET = "aws:s3/bucket:Bucket"
    S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
    S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    S3_OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
    S3_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    S3_ENCRYPTION_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
    S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
    S3_VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
    S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
    S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    S3_LOGGING = "aws:s3/bucketLogging:BucketLogging"


class Gcp(StrEnum):
    """pulumi-gcp resource types."""

    PROVIDER = "pulumi:providers:gcp"
    NETWORK = "gcp:compute/network:Network"
    SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
    FIREWALL = "gcp:compute/firewall:Firewall"
    ROUTER = "gcp:compute/router:Router"
    ROUTER_NAT = "gcp:compute/routerNat:RouterNat"
    FORWARDING_RULE = "gcp:compute/forwardingRule:ForwardingRule"
    GLOBAL_FORWARDING_RULE = "gcp:compute/globalForwardingRule:GlobalForwardingRule"
    GKE_CLUSTER = "gcp:container/cluster:Cluster"
    GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
    KMS_KEY_RING = "gcp:kms/keyRing:KeyRing"
    KMS_CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
    KMS_CRYPTO_KEY_IAM_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
    SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"
    SERVICE_ACCOUNT_IAM_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
    PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
    PROJECT_SERVICE = "gcp:projects/service:Service"
    STORAGE_BUCKET = "gcp:storage/bucket:Bucket"
    STORAGE_BUCKET_IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
    LOG_BUCKET_CONFIG = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
    LOG_SINK = "gcp:logging/projectSink:ProjectSink"


class K8s(StrEnum):
    """pulumi-kubernetes resource types, and the custom resources inferstack registers."""

    PROVIDER = "pulumi:providers:kubernetes"
    NAMESPACE = "kubernetes:core/v1:Namespace"
    SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
    SECRET = "kubernetes:core/v1:Secret"
    CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
    SERVICE = "kubernetes:core/v1:Service"
    PERSISTENT_VOLUME_CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"
    STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
    POD = "kubernetes:core/v1:Pod"
    DEPLOYMENT = "kubernetes:apps/v1:Deployment"
    STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
    DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
    REPLICA_SET = "kubernetes:apps/v1:ReplicaSet"
    JOB = "kubernetes:batch/v1:Job"
    CRON_JOB = "kubernetes:batch/v1:CronJob"
    POD_DISRUPTION_BUDGET = "kubernetes:policy/v1:PodDisruptionBudget"
    NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
    CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
    CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
    ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
    ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
    CUSTOM_RESOURCE_DEFINITION = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
    HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
    # Custom resources (CRDs installed by add-ons): no SDK class; CustomResource names them apiVersion:kind.
    SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
    INTERCEPTOR_ROUTE = "kubernetes:http.keda.sh/v1beta1:InterceptorRoute"
    POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
    PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    # Built into GKE (1.30.3-gke.1451000 and later): no add-on installs its CRD.
    COMPUTE_CLASS = "kubernetes:cloud.google.com/v1:ComputeClass"
    GATEWAY_CLASS = "kubernetes:gateway.networking.k8s.io/v1:GatewayClass"
    GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
    REFERENCE_GRANT = "kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant"
    ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy"
    SECURITY_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy"
    BACKEND_TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy"
    ENVOY_BACKEND = "kubernetes:gateway.envoyproxy.io/v1alpha1:Backend"
    AI_GATEWAY_ROUTE = "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute"
    AI_SERVICE_BACKEND = "kubernetes:aigateway.envoyproxy.io/v1beta1:AIServiceBackend"
    INFERENCE_POOL = "kubernetes:inference.networking.k8s.io/v1:InferencePool"
    KARPENTER_NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
    KARPENTER_NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"


GATEWAY_RESOURCES = frozenset(
    {
        K8s.GATEWAY_CLASS,
        K8s.GATEWAY,
        K8s.REFERENCE_GRANT,
        K8s.ENVOY_PROXY,
        K8s.SECURITY_POLICY,
        K8s.BACKEND_TRAFFIC_POLICY,
        K8s.ENVOY_BACKEND,
        K8s.AI_GATEWAY_ROUTE,
        K8s.AI_SERVICE_BACKEND,
        K8s.INFERENCE_POOL,
    }
)
CUSTOM_RESOURCES = frozenset(
    {
        K8s.SCALED_OBJECT,
        K8s.INTERCEPTOR_ROUTE,
        K8s.POD_MONITOR,
        K8s.PROMETHEUS_RULE,
        K8s.COMPUTE_CLASS,
        K8s.KARPENTER_NODE_POOL,
        K8s.KARPENTER_NODE_CLASS,
        *GATEWAY_RESOURCES,
    }
)
ALL_TYPES: frozenset[str] = frozenset({*Aws, *Gcp, *K8s})
