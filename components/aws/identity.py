"""Workload identity on EKS through IRSA (IAM Roles for Service Accounts), and the model store's roles.

IRSA, not EKS Pod Identity: an IRSA role's trust policy names the one service account that may assume it, so
the binding is visible and reviewable in IAM (and in the Plan) on its own; it needs no extra agent DaemonSet on
every node; and it works the same for add-ons, the autoscaler and the workload. Pod Identity would move the
binding into EKS association objects and need the `eks-pod-identity-agent` add-on.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from inferstack.aws.plan.policy_documents import irsa_trust_policy, model_reader_policy, model_writer_policy
from inferstack.planning.names import (
    STAGING_NAMESPACE,
    STAGING_SERVICE_ACCOUNT,
    compile_cache_prefix,
    model_prefix,
    serving_namespace,
    serving_service_account,
)
from inferstack.renames import formerly

TYPE_TOKEN = "inferstack:index:EksWorkloadIdentities"
FORMER_TYPE_TOKEN = "inferstack:index:WorkloadIdentities"
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
# Every model prefix lives under this one (components.planning.names.model_prefix): the stager writes below it.
MODELS_ROOT = "models"


def issuer_host(issuer_url: str) -> str:
    """The OIDC issuer as IAM condition keys name it: the URL without its scheme."""
    return issuer_url.removeprefix("https://")


@dataclass(frozen=True)
class OidcProvider:
    """The cluster's IAM OIDC provider: its ARN and the issuer host used in trust conditions."""

    arn: pulumi.Output[str]
    host: pulumi.Output[str]


def irsa_role(
    name: str,
    oidc: OidcProvider,
    namespace: str,
    service_account: str,
    *,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
    policy: pulumi.Output[str] | None = None,
    managed_policy_arns: Sequence[str] = (),
) -> aws.iam.Role:
    """A role only `namespace/service_account` can assume, with an inline policy and/or AWS managed policies."""
    trust = pulumi.Output.all(oidc.arn, oidc.host).apply(
        lambda values: json.dumps(irsa_trust_policy(values[0], values[1], namespace, service_account))
    )
    role = aws.iam.Role(
        name,
        assume_role_policy=trust,
        description=f"IRSA role of {namespace}/{service_account}",
        tags=tags,
        opts=opts,
    )
    if policy is not None:
        aws.iam.RolePolicy(name, role=role.id, policy=policy, opts=opts)
    for arn in managed_policy_arns:
        aws.iam.RolePolicyAttachment(f"{name}-{arn.rsplit('/', 1)[-1]}", role=role.name, policy_arn=arn, opts=opts)
    return role


def role_annotations(role: aws.iam.Role) -> pulumi.Output[dict[str, str]]:
    """The service-account annotation that binds a Kubernetes service account to an IRSA role."""
    return role.arn.apply(lambda arn: {ROLE_ARN_ANNOTATION: arn})


class EksWorkloadIdentities(pulumi.ComponentResource):
    """A read-only role per model (its prefix only; add-only on its compile-cache prefix) and the staging writer."""

    reader_roles: dict[str, aws.iam.Role]
    writer_role: aws.iam.Role

    def __init__(
        self,
        name: str,
        *,
        models: Sequence[str],
        oidc: OidcProvider,
        bucket: pulumi.Output[str],
        key_arn: pulumi.Output[str] | None,
        tags: dict[str, str],
        compile_cache_models: Collection[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, formerly(opts, FORMER_TYPE_TOKEN))
        child = pulumi.ResourceOptions(parent=self)
        key: pulumi.Output[str | None] = key_arn if key_arn is not None else pulumi.Output.from_input(None)
        self.reader_roles = {}
        for model in models:
            prefix = model_prefix(model)
            cache = compile_cache_prefix(model) if model in compile_cache_models else None
            policy = pulumi.Output.all(bucket, key).apply(
                lambda values, prefix=prefix, cache=cache: json.dumps(
                    model_reader_policy(values[0], prefix, values[1], cache)
                )
            )
            self.reader_roles[model] = irsa_role(
                f"{name}-reader-{model}",
                oidc,
                serving_namespace(model),
                serving_service_account(model),
                tags=tags,
                opts=child,
                policy=policy,
            )
        writer_policy = pulumi.Output.all(bucket, key).apply(
            lambda values: json.dumps(model_writer_policy(values[0], MODELS_ROOT, values[1]))
        )
        self.writer_role = irsa_role(
            f"{name}-stager",
            oidc,
            STAGING_NAMESPACE,
            STAGING_SERVICE_ACCOUNT,
            tags=tags,
            opts=child,
            policy=writer_policy,
        )
        self.register_outputs(
            {
                "reader_role_arns": {model: role.arn for model, role in self.reader_roles.items()},
                "writer_role_arn": self.writer_role.arn,
            }
        )
