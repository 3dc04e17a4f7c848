"""A fix for kafka-python 3.0.x's group join, installed when `jjj.bus.clients` is imported.

The lost assignment (seen in CI: a hub worker that never received the partitions of its group):

1. A consumer subscribes to a list of topics and joins before its metadata holds their partitions (kafka-python only
   fetches metadata first for pattern subscriptions), so generation 1 assigns it nothing ("No partition metadata for
   topic …").
2. The metadata arrives; `ConsumerCoordinator.need_rejoin()` now sees the assignment snapshot differ from the metadata
   snapshot and the next `poll()` starts a JoinGroup task. If the poll's timeout ends first, the task is left in
   flight for the next poll to await.
3. The task performs the assignment, which sets the assignment snapshot to the metadata snapshot. By the next poll
   `need_rejoin()` is False again, because the base flag `rejoin_needed` was never set: `join_group_async` does not
   enter its loop, never awaits the finished task, and the assignment it carries is dropped. The member stays
   joined with no partitions (until the broker expires it; heartbeats are disabled during a join).

Apache Kafka's Java client had the same hole and fixed it by making the rejoin sticky (KAFKA-9815: request a rejoin
when the snapshots differ). This does the same: when the consumer coordinator finds a rejoin needed, the base flag is
set too, so the join is driven to completion (which clears the flag) however short the polls are.
`tests/jjj/test_kafka_fixes.py` shows the loss with short polls on the real broker.
"""

from __future__ import annotations

from kafka.coordinator.consumer import ConsumerCoordinator

_original_need_rejoin = ConsumerCoordinator.need_rejoin


def _need_rejoin_sticky(self: ConsumerCoordinator) -> bool:
    needed = _original_need_rejoin(self)
    if needed and not self.rejoin_needed:
        self.request_rejoin()  # cleared by join_group_async once the join it starts has completed
    return needed


def install() -> None:
    """Idempotent: replaces `ConsumerCoordinator.need_rejoin` once."""
    if ConsumerCoordinator.need_rejoin is not _need_rejoin_sticky:
        ConsumerCoordinator.need_rejoin = _need_rejoin_sticky


def installed() -> bool:
    return ConsumerCoordinator.need_rejoin is _need_rejoin_sticky
