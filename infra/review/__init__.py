"""Readers of a Plan: diff, identities, Kubernetes manifests, the policy check and the stack's cost."""
