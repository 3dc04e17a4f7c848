"""Prometheus metrics of the hub worker (low-cardinality labels only: region, kind, code; never personal data)."""

from __future__ import annotations

import collections
import time

from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter("jjj_hub_messages_total", "Messages processed by the hub", ["region", "kind", "code"])
REJECTIONS = Counter("jjj_hub_rejections_total", "Messages rejected by the hub", ["code"])
RECORDS = Counter("jjj_hub_records_total", "Records consumed by the hub", ["region"])
BATCH_SECONDS = Histogram("jjj_hub_batch_seconds", "Time to process one poll batch (one transaction)",
                          buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
BATCH_SIZE = Histogram("jjj_hub_batch_size", "Records per poll batch", buckets=(1, 10, 50, 100, 250, 500, 1000, 2000))
LAG = Gauge("jjj_hub_consumer_lag", "End offset minus position, summed per topic", ["topic"])
VERIFICATION_OVERDUE = Gauge("jjj_hub_verification_overdue", "Verification requests overdue")
SETTLEMENT_FEN = Gauge("jjj_hub_settlement_issued_fen", "Fen on issued statements per period region pair",
                       ["payer_region", "payee_region"])


def record_verification_overdue(count: int) -> None:
    """Requests whose result went out as overdue (or are overdue and not yet sent), after a deadline run."""
    VERIFICATION_OVERDUE.set(count)


def record_settlement_totals(totals: dict[tuple[str, str], int]) -> None:
    """Fen on the issued statements of the latest statement run's period, per (payer, payee) bus region pair."""
    for (payer, payee), fen in sorted(totals.items()):
        SETTLEMENT_FEN.labels(payer_region=payer, payee_region=payee).set(fen)


class HubMetrics:
    """Observes batches and, every ``lag_every_s`` seconds, the consumer lag."""

    def __init__(self, lag_every_s: float = 5.0) -> None:
        self.lag_every_s, self._last_lag = lag_every_s, 0.0

    def observe_batch(self, records, result=None, seconds: float | None = None) -> None:  # noqa: ANN001
        BATCH_SIZE.observe(len(records))
        if seconds is not None:
            BATCH_SECONDS.observe(seconds)
        # counted per label set first: a labels() look-up per record was ~5 % of a worker's CPU
        for topic, n in collections.Counter(r.topic for r in records).items():
            RECORDS.labels(region=topic.split(".")[1]).inc(n)
        for (region, kind, code), n in collections.Counter(getattr(result, "outcomes", None) or ()).items():
            MESSAGES.labels(region=region, kind=kind, code=str(code)).inc(n)
            if code not in (100, 201):
                REJECTIONS.labels(code=str(code)).inc(n)

    def observe_lag(self, consumer) -> None:  # noqa: ANN001 - kafka-python KafkaConsumer
        now = time.monotonic()
        if now - self._last_lag < self.lag_every_s:
            return
        self._last_lag = now
        parts = list(consumer.assignment())
        if not parts:
            return
        try:
            ends = consumer.end_offsets(parts)
            per_topic: dict[str, int] = {}
            for tp in parts:
                per_topic[tp.topic] = per_topic.get(tp.topic, 0) + max(ends.get(tp, 0) - consumer.position(tp), 0)
        except Exception:  # noqa: BLE001 - metrics never stop consumption
            return
        for topic, lag in per_topic.items():
            LAG.labels(topic=topic).set(lag)
