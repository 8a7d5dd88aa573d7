"""Operability: request logs, metrics, health and readiness (README "Operating it").

`calls` is the per-call record the layers annotate; `observer` starts and finishes calls;
`logs` and `metrics` are where they end up; `health` answers liveness and readiness;
`endpoints` serves `/healthz`, `/readyz` and `/metrics` over HTTP.
"""
