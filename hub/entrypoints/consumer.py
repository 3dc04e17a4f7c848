"""`jjj hub run`: the consumer worker loop. Decode records, call the intake service, commit offsets after it."""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.exc import DBAPIError

from hub.bootstrap import HubServices
from hub.services.records import Record

log = logging.getLogger(__name__)


def to_record(r) -> Record:  # noqa: ANN001 - kafka-python ConsumerRecord
    return Record(r.topic, r.partition, r.offset, r.key, r.value or b"", {k: v for k, v in (r.headers or [])},
                  r.timestamp)


class Relay(threading.Thread):
    """Sends the hub outbox (receipts, dead letters, routed messages) beside the consume loop.

    The batch's transaction already holds its outgoing messages, so the loop commits its offsets right after it and
    polls the next batch while this thread waits for the broker's acknowledgements (the transactional outbox's
    relay; before, every batch waited for its receipts' round trip). Woken after each batch; also drains every
    ``idle_s`` so that rows left by a broker outage or a previous run go out.
    """

    def __init__(self, publisher, *, idle_s: float = 0.5) -> None:  # noqa: ANN001
        super().__init__(name="hub-outbox-relay", daemon=True)
        self.publisher, self.idle_s = publisher, idle_s
        self._wake, self._halt = threading.Event(), threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        while not self._halt.is_set():
            self._wake.wait(timeout=self.idle_s)
            self._wake.clear()
            self.publisher.drain(until_empty=True, stop=self._halt.is_set)

    def stop(self, *, drain_s: float = 10.0) -> None:
        """Stop the thread, then send what is left for up to ``drain_s`` (the rest waits for the next start)."""
        self._halt.set()
        self._wake.set()
        self.join(timeout=30)
        drain_for(self.publisher, drain_s)


def drain_for(publisher, seconds: float) -> None:  # noqa: ANN001
    """On stop: send what is pending for up to ``seconds`` (the rest waits in the outbox for the next start)."""
    deadline = time.monotonic() + seconds
    publisher.drain(until_empty=True, idle_sleep_s=0.2, stop=lambda: time.monotonic() > deadline)


class RelayProcess:
    """The hub outbox relay in its own process (``jjj hub relay --wake-fd``), the default of `jjj hub run`.

    Sending is a third of the worker's CPU (kafka-python builds each record in Python, its I/O thread takes the GIL);
    in a child process it runs on the other core instead of taking turns with the consume loop. The worker wakes it
    through a pipe after each batch; the pipe is also its lifeline: when the worker closes it (or dies), the relay
    drains what is pending for up to ``drain_s`` and exits. A relay that died is started again at the next wake.
    """

    def __init__(self, worker_id: str, *, drain_s: float = 10.0, env: dict[str, str] | None = None) -> None:
        self.worker_id, self.drain_s, self.env = worker_id, drain_s, env
        self.proc: subprocess.Popen | None = None
        self._w: int | None = None

    def start(self) -> None:
        r, w = os.pipe()
        os.set_blocking(w, False)
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "jjj", "hub", "relay", "--worker-id",
                                          f"{self.worker_id}-relay", "--wake-fd", str(r),
                                          "--drain-s", str(self.drain_s)], pass_fds=(r,),
                                         env=None if self.env is None else os.environ | self.env)
        except BaseException:
            os.close(w)
            raise
        finally:
            os.close(r)
        self._w = w

    def wake(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            log.warning("the outbox relay exited with %s; starting it again", self.proc.returncode)
            self._close()
            self.start()
        try:
            os.write(self._w, b"w")
        except BlockingIOError:  # the pipe is full: the relay has wake-ups waiting already
            pass
        except OSError as exc:
            log.warning("waking the outbox relay failed: %s", exc)

    def _close(self) -> None:
        if self._w is not None:
            os.close(self._w)
            self._w = None

    def stop(self) -> None:
        """Close the lifeline; the relay sends what is left (up to ``drain_s``) and exits."""
        self._close()
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=self.drain_s + 30)
        except subprocess.TimeoutExpired:
            log.warning("the outbox relay did not stop; killing it (its rows stay in the outbox)")
            self.proc.kill()
            self.proc.wait()


def relay_main(services: HubServices, stop: Callable[[], bool], *, wake_fd: int | None = None,
               drain_s: float = 10.0) -> None:
    """`jjj hub relay`: send the hub outbox until ``stop()`` or, with ``wake_fd``, until the worker closes it."""
    publisher = services.publisher()
    halted = threading.Event()
    if wake_fd is not None:
        def watch() -> None:
            while True:
                try:
                    data = os.read(wake_fd, 4096)
                except OSError:
                    data = b""
                if not data:  # the worker closed the pipe or died
                    halted.set()
                    publisher.wake()
                    return
                publisher.wake()

        threading.Thread(target=watch, name="hub-relay-wake", daemon=True).start()
    log.info("hub outbox relay %s sending", services.worker_id)
    try:
        publisher.drain(until_empty=False, idle_sleep_s=0.5, stop=lambda: halted.is_set() or stop())
    finally:
        drain_for(publisher, drain_s)
        publisher.producer.flush(timeout=10)
        publisher.producer.close(timeout=10)


def run(services: HubServices, stop: Callable[[], bool] = lambda: False, *, poll_ms: int = 500,
        relay: str = "thread", apply: str = "inline") -> None:
    """Consume until `stop()`; a database outage pauses the loop and retries without committing offsets.

    ``relay``: "thread" sends the outbox from a thread of this process, "process" from a child process
    (`RelayProcess`, what `jjj hub run` does by default). ``apply``: "inline" stores each batch in this process,
    "process" in a child process while this one consumes and checks the next (``hub.entrypoints.pipeline``, what
    `jjj hub run` does by default)."""
    if relay not in ("thread", "process"):
        raise ValueError(f"relay must be 'thread' or 'process', not {relay!r}")
    if apply not in ("inline", "process"):
        raise ValueError(f"apply must be 'inline' or 'process', not {apply!r}")
    intake = services.intake
    tune_gc()
    log.info("hub worker consuming %d topics as group %s", len(services.input_topics), services.settings.hub_group)
    publisher = services.publisher() if relay == "thread" else None
    sender = Relay(publisher) if publisher is not None else RelayProcess(services.worker_id,
                                                                        env=services.settings.to_env())
    sender.start()
    trim = MallocTrim(float(os.environ.get("JJJ_HUB_MALLOC_TRIM_S", "10")))
    if apply == "process":
        from hub.entrypoints import pipeline

        try:
            pipeline.run(services, stop, poll_ms=poll_ms, sender=sender, trim=trim)
        finally:
            _stop_sender(sender, publisher)
        return
    consumer = services.consumer()
    trace = MemTrace.from_env(services, publisher)
    try:
        while not stop():
            polled = consumer.poll(timeout_ms=poll_ms, max_records=services.max_poll_records)
            records = [to_record(r) for batch in polled.values() for r in batch]
            if records:
                started = time.monotonic()
                result = _process_until_stored(intake, records, consumer, stop)
                services.metrics.observe_batch(records, result, time.monotonic() - started)
                sender.wake()
                commit_offsets(consumer, stop)
                trim.maybe()
                if trace is not None:
                    trace.count(len(records))
            else:
                trim.idle()
            services.metrics.observe_lag(consumer)
    finally:
        consumer.close()
        _stop_sender(sender, publisher)


def _stop_sender(sender, publisher) -> None:  # noqa: ANN001
    sender.stop()
    if publisher is not None:
        publisher.producer.flush(timeout=10)
        publisher.producer.close(timeout=10)


def commit_offsets(consumer, stop: Callable[[], bool], offsets=None) -> None:  # noqa: ANN001
    """Commit offsets after the batch's transaction: the consumer's positions, or with ``offsets`` (partition →
    next offset) exactly those, for the partitions still assigned. While the broker is away, retry with backoff:
    the effects are already stored, so if the worker stops first, the redelivered batch is skipped by position
    (exactly-once effect)."""
    delay = 0.5
    while True:
        try:
            if offsets is None:
                consumer.commit()
            else:
                owned = offsets_to_commit(consumer, offsets)
                if owned:
                    consumer.commit(owned)
            return
        except CommitFailedError as exc:  # the group rebalanced: the new owner skips what this batch stored
            log.warning("offset commit refused after a rebalance (%s); the records will be redelivered and skipped", exc)
            return
        except KafkaError as exc:
            if stop():
                log.warning("stopping with an uncommitted batch (%s); it will be redelivered and skipped", exc)
                return
            log.warning("offset commit failed (%s); broker unavailable? retrying in %.1fs", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def keep_position(consumer, polled: dict) -> None:  # noqa: ANN001
    """A poll made only to stay in the group may still return records (of a partition assigned during it, so not
    paused): rewind to them, so that the next real poll returns them again."""
    for tp, records in polled.items():
        if records:
            consumer.seek(tp, records[0].offset)


def offsets_to_commit(consumer, offsets: dict[TopicPartition, int]) -> dict[TopicPartition, OffsetAndMetadata]:  # noqa: ANN001
    """The batch's offsets for the partitions this worker still owns: after a rebalance, a partition's new owner
    commits its own (committing ours there could move its offset back)."""
    owned = consumer.assignment()
    return {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items() if tp in owned}


def tune_gc() -> None:
    """A worker keeps large, long-lived state (validators, key registry, the disaster memo): move what start-up made
    out of the collector's sight and collect the young generation less often (every 10,000 net allocations instead
    of 700; a full collection still follows every 100 young ones, so cyclic garbage stays bounded)."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _process_until_stored(intake, records, consumer, stop):  # noqa: ANN001, ANN202
    delay = 0.5
    while True:
        try:
            return intake.process(records)
        except DBAPIError as exc:
            log.warning("database unavailable (%s); retrying in %.1fs without committing offsets", exc.orig, delay)
            consumer.pause(*consumer.assignment())
            end = time.monotonic() + delay
            while time.monotonic() < end and not stop():
                keep_position(consumer, consumer.poll(timeout_ms=100))  # keeps group membership while paused
            consumer.resume(*consumer.paused())
            if stop():
                raise
            delay = min(delay * 2, 10.0)


class MallocTrim:
    """Give glibc's free heap pages back to the system every ``every_s`` seconds (``malloc_trim(0)``, a few ms).

    Batches allocate and free tens of MB in several threads (fetched records, rows with their JSON, the relay's
    pending rows); glibc keeps what was freed inside its per-thread arenas, so without this the worker's RSS
    ratchets up to the largest transient it has seen in each arena (docs/perf/hub-memory.md). 0 turns it off;
    a no-op where the C library has no ``malloc_trim``. ``idle()`` trims once when the work stops (nothing came in
    for a poll): a worker that goes quiet gives back the last batches' pages instead of holding them until the next
    busy spell."""

    #: ``idle()`` trims at most this often: a slow stream whose polls are often empty must not trim every batch
    IDLE_MIN_S = 1.0

    def __init__(self, every_s: float) -> None:
        self.every_s, self.next_at, self._trim = every_s, time.monotonic() + every_s, None
        self.dirty, self.last = False, time.monotonic()  # batches handled since the last trim; when it ran
        if every_s > 0:
            self._trim = _malloc_trim()

    def maybe(self) -> None:
        """After a batch: trims if the period has passed."""
        self.dirty = True
        if self._trim is not None and time.monotonic() >= self.next_at:
            self._now()

    def idle(self) -> None:
        """Nothing to do: trims if batches were handled since the last trim."""
        if self._trim is not None and self.dirty and time.monotonic() >= self.last + self.IDLE_MIN_S:
            self._now()

    def _now(self) -> None:
        self._trim(0)
        self.dirty, self.last = False, time.monotonic()
        self.next_at = self.last + self.every_s

    @staticmethod
    def on_request(signum: int = signal.SIGUSR1) -> bool:
        """Trim once whenever the process gets ``signum`` (SIGUSR1): `kill -USR1 <pid>`, and the bench before it
        reads RSS, so every reading of every hub process is taken at the same point of its sawtooth (right after a
        trim) instead of wherever its last batches left it. Main thread only (Python's rule for handlers); False
        where the C library has no ``malloc_trim``."""
        trim = _malloc_trim()
        if trim is None:
            return False
        signal.signal(signum, lambda *_: trim(0))
        return True


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


class MemTrace:
    """Debug hook (``JJJ_HUB_MEMTRACE=<file>``): every ``JJJ_HUB_MEMTRACE_EVERY`` messages append one JSON line
    with the worker's RSS split (smaps), glibc's malloc counters, Python's allocated blocks, the memos' sizes, the
    SQLAlchemy compiled cache and, with ``JJJ_HUB_MEMTRACE_TRACEMALLOC=1``, the top tracemalloc growth. Traces the
    one-process loop (``JJJ_HUB_APPLY=inline``): in the pipeline the state lives in the apply process."""

    def __init__(self, path: str, every: int, services, publisher, tracemalloc_on: bool) -> None:  # noqa: ANN001
        self.path, self.every, self.services, self.publisher = path, every, services, publisher
        self.seen, self.next_at, self.base = 0, every, None
        self.tm = tracemalloc_on
        if self.tm:
            import tracemalloc

            tracemalloc.start(8)

    @classmethod
    def from_env(cls, services, publisher):  # noqa: ANN001, ANN206
        path = os.environ.get("JJJ_HUB_MEMTRACE")
        if not path:
            return None
        return cls(path, int(os.environ.get("JJJ_HUB_MEMTRACE_EVERY", "25000")), services, publisher,
                   os.environ.get("JJJ_HUB_MEMTRACE_TRACEMALLOC") == "1")

    def count(self, n: int) -> None:
        self.seen += n
        if self.seen >= self.next_at:
            self.next_at += self.every
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(self.sample(), default=str) + "\n")

    def sample(self) -> dict:
        import sys
        from collections import Counter

        engine = self.services.engine
        out = {"messages": self.seen, "smaps": _smaps(), "mallinfo": _mallinfo(),
               "py_blocks": sys.getallocatedblocks(), "threads": threading.active_count(),
               "compiled_cache": len(engine._compiled_cache) if getattr(engine, "_compiled_cache", None) is not None
               else None,
               "intake_cache": {k: len(v) for k, v in self.services.intake.cache.items()},
               "key_hashes": len(getattr(self.publisher, "_key_hashes", ()))}
        cache = getattr(engine, "_compiled_cache", None) or {}
        shapes = Counter()
        for compiled in list(cache.values()):
            shapes[getattr(compiled, "string", "?")[:120]] += 1
        out["compiled_shapes"] = shapes.most_common(12)
        types = Counter(type(o).__name__ for o in gc.get_objects())
        out["gc_types"] = types.most_common(25)
        if self.tm:
            import tracemalloc

            snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            out["traced_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
            if self.base is None:
                self.base = snap
            else:
                out["top"] = [(str(s.traceback.format()[-6:]), s.size_diff, s.count_diff)
                              for s in snap.compare_to(self.base, "traceback")[:12]]
        return out


def _smaps() -> dict:
    """RSS (kB) by mapping kind: [heap] (brk: the main arena), anonymous maps (pymalloc arenas, other threads'
    malloc arenas, big blocks) and file-backed."""
    out: dict[str, int] = {}
    kind = "file"
    try:
        with open("/proc/self/smaps", encoding="ascii", errors="replace") as fh:
            for line in fh:
                head = line.split()
                if head and "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                    name = head[5] if len(head) > 5 else ""
                    kind = "heap" if name == "[heap]" else "anon" if not name else "stack" if name.startswith("[stack") else "file"
                elif head and head[0] == "Rss:":
                    out[kind] = out.get(kind, 0) + int(head[1])
    except OSError:
        pass
    return out


def _mallinfo() -> dict:
    try:
        import ctypes

        class MI2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                        "fsmblks", "uordblks", "fordblks", "keepcost")]

        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MI2
        mi = libc.mallinfo2()
        return {n: getattr(mi, n) // 1024 for n, _ in MI2._fields_}
    except (OSError, AttributeError):
        return {}
