"""Pure GCP decisions as plain data: ranges and firewall rules, cluster, node pools, identities, bucket, labels."""
