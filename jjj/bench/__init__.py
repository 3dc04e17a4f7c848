"""`jjj bench`: throughput and latency of the platform as ratios to bare baselines measured in the same run.

Modules: `data` (realistic signed messages), `env` (per-run topics, databases and keys), `consume` (bare
consumers and the hub worker), `stages` (per-stage cost and the profile), `adapter`, `e2e`, `settlement`, `api`,
`runner` (orchestration, table and the final JSON line). See docs/scaling.md for what the figures mean.
"""
