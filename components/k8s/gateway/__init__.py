"""The inference gateway: one OpenAI-compatible endpoint for every model of the environment.

Envoy Gateway (the Gateway API implementation) runs the proxies; Envoy AI Gateway reads each request's `model`
field and token usage; each model's InferencePool hands the choice of replica to an endpoint picker (EPP) that
scores replicas by queue depth, KV-cache use and prefix-cache affinity. `inputs` (what the objects are built
from), `edge` (namespace, class, proxy, listener, keys, limits, metrics), `routes` (the model-name rules),
`pools` (InferencePool and EPP per model), `ratelimit` (the counters' Redis) and `values` (the charts' Helm
values) are pure; `component` registers them.
"""
