"""Prometheus metrics of the hub worker (low-cardinality labels only: region, kind, code; never personal data)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RECORDS = Counter("jjj_hub_records_total", "Records consumed by the hub", ["region"])
BATCH_SECONDS = Histogram("jjj_hub_batch_seconds", "Time to process one poll batch")


class HubMetrics:
    def observe_batch(self, records) -> None:  # noqa: ANN001
        for r in records:
            RECORDS.labels(region=r.topic.split(".")[1]).inc()
