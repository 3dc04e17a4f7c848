"""Fixes for kafka-python 3.0.x's group join, installed when `jjj.bus.clients` is imported.

The lost assignment (seen in CI: a hub worker that never received the partitions of its group):

1. A consumer subscribes to a list of topics and joins before its metadata holds their partitions (kafka-python only
   fetches metadata first for pattern subscriptions), so generation 1 assigns it nothing ("No partition metadata for
   topic …").
2. The metadata arrives; `ConsumerCoordinator.need_rejoin()` now sees the assignment snapshot differ from the metadata
   snapshot and the next `poll()` starts a JoinGroup → SyncGroup task. If the poll's timeout ends first, the task is
   left in flight for a later poll to await.
3. The task finishes between polls (the assignment it performs sets the assignment snapshot to the metadata
   snapshot). Two holes follow:
   a. `need_rejoin()` is False again, because the base flag `rejoin_needed` was never set: `join_group_async` is not
      called, nobody awaits the finished task, and the assignment it carries is dropped. The member stays in the
      group with no partitions and with its heartbeat off (disabled for the join), until the broker expires it.
   b. Where the flag is set, `join_group_async` treats a finished task like no task and sends a new JoinGroup,
      dropping the finished one's assignment again; with polls shorter than a join round trip this repeats.

The fixes: (a) as Apache Kafka's Java client does since KAFKA-9815, a rejoin the consumer coordinator finds needed
also sets the base flag, so that the join is driven until it completes (which clears the flag); (b) a join task that
finished successfully while no poll awaited it is applied (assignment, heartbeat back on, member stable) by the next
`join_group_async`, unless the member was reset since. `tests/jjj/test_kafka_fixes.py` shows the loss with short
polls on the real broker.
"""

from __future__ import annotations

from kafka.coordinator.base import BaseCoordinator, MemberState
from kafka.coordinator.consumer import ConsumerCoordinator

_original_need_rejoin = ConsumerCoordinator.need_rejoin
_original_join_group_async = BaseCoordinator.join_group_async


def _need_rejoin_sticky(self: ConsumerCoordinator) -> bool:
    needed = _original_need_rejoin(self)
    if needed and not self.rejoin_needed:
        self.request_rejoin()  # cleared by join_group_async once the join it starts has completed
    return needed


async def _join_group_applying_a_finished_join(self: BaseCoordinator, timeout_ms: float | None = None) -> bool:
    task = self._join_task
    if (task is not None and task.succeeded() and self.state is MemberState.REBALANCING
            and self._generation.generation_id >= 0):
        # what join_group_async does once it has awaited a successful join
        self._join_task = None
        with self._lock:
            self.rejoining = False
            self.rejoin_needed = False
            self.state = MemberState.STABLE
            self._enable_heartbeat()
        await self._on_join_complete_async(self._generation.generation_id, self._generation.member_id,
                                           self._generation.protocol, task.value)
        return True
    return await _original_join_group_async(self, timeout_ms)


def install() -> None:
    """Idempotent."""
    ConsumerCoordinator.need_rejoin = _need_rejoin_sticky
    BaseCoordinator.join_group_async = _join_group_applying_a_finished_join


def installed() -> bool:
    return (ConsumerCoordinator.need_rejoin is _need_rejoin_sticky
            and BaseCoordinator.join_group_async is _join_group_applying_a_finished_join)
