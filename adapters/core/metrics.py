"""Prometheus metrics of one adapter (no personal data: labels are region, kind and outcome only).

Gauges are read from the adapter's database at scrape time, so they are true for every process sharing it.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily


class _StatusCollector:
    def __init__(self, runtime) -> None:  # noqa: ANN001
        self.runtime = runtime

    def collect(self):  # noqa: ANN201
        s = self.runtime.status()
        region = [self.runtime.region]
        for name, key, doc in (
                ("jjj_adapter_outbox_depth", "outbox_depth", "Messages in the outbox not yet acknowledged by Kafka"),
                ("jjj_adapter_outbox_oldest_age_seconds", "oldest_pending_age_s", "Age of the oldest unsent message"),
                ("jjj_adapter_unreceipted_messages", "unreceipted", "Published messages without a hub receipt yet"),
                ("jjj_adapter_hub_rejected_messages", "receipts_rejected", "Messages the hub rejected"),
                ("jjj_adapter_deliveries_pending", "deliveries_pending", "Hub messages not yet delivered")):
            g = GaugeMetricFamily(name, doc, labels=["region"])
            g.add_metric(region, float(s[key]))
            yield g


class AdapterMetrics:
    """A registry per adapter (tests run several adapters in one process)."""

    def __init__(self, runtime) -> None:  # noqa: ANN001
        self.registry = CollectorRegistry()
        self.records = Counter("jjj_adapter_records", "Native records taken in, by outcome",
                               ["region", "kind", "outcome"], registry=self.registry)
        self.registry.register(_StatusCollector(runtime))
        self.region = runtime.region

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.records.labels(self.region, kind, outcome).inc(n)
