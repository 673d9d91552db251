"""Day two of an environment: dashboards, alert rules, Alertmanager routes and the monitoring stack's settings.

`plan` resolves the spec's `monitoring` section; `values` and `receivers` turn it into kube-prometheus-stack
values; `dashboards` ships the Grafana JSON; `slo` and `rules` derive PrometheusRules from the spec; `component`
registers the cluster-level objects.
"""
