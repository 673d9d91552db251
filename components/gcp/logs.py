"""GkeLogRetention: keeps the cluster's and the subnetwork's logs for `cluster.log_retention_days`."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plan.cluster import GkeLogRetentionPlan

TYPE_TOKEN = "inferstack:index:GkeLogRetention"


class GkeLogRetention(pulumi.ComponentResource):
    """A dedicated log bucket with the spec's retention and a sink routing the environment's logs to it.

    The project's _Default bucket is left alone (changing it would change every workload's retention in
    the project); logs still land there too, for its own 30 days.
    """

    def __init__(
        self,
        name: str,
        plan: GkeLogRetentionPlan,
        *,
        project_id: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        subnetwork_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-bucket",
            project=project_id,
            location=plan.location,
            bucket_id=f"{plan.environment}-logs",
            retention_days=plan.retention_days,
            description=f"Control-plane, node and flow logs of {plan.environment}",
            opts=pulumi.ResourceOptions(parent=self, protect=plan.protect),
        )
        log_filter = pulumi.Output.all(cluster_name, subnetwork_name).apply(
            lambda names: (
                f'resource.labels.cluster_name="{names[0]}" OR '
                f'(resource.type="gce_subnetwork" AND resource.labels.subnetwork_name="{names[1]}")'
            )
        )
        self.sink = gcp.logging.ProjectSink(
            f"{name}-sink",
            name=f"{plan.environment}-logs",
            project=project_id,
            destination=pulumi.Output.concat("logging.googleapis.com/", self.bucket.id),
            filter=log_filter,
            unique_writer_identity=True,
            description=f"Routes {plan.environment}'s cluster and flow logs to its retention bucket",
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.id})
