"""`jjj hub run` as a pipeline: this process consumes and checks, a child process (`jjj hub apply`) stores.

One worker used to do everything on one core: the Kafka fetch, the signature and schema checks, the transaction.
With ``--apply process`` (the default of `jjj hub run`) the work is split in two stages that run at the same time:

- **front** (this process): poll a batch, check every record (`Intake.check`: signature, envelope, schema, sender,
  expiry: no database), hand the batch and its verdicts to the child, commit the batch's offsets once the child
  says it is stored;
- **apply** (`jjj hub apply`, a child): the batch's one transaction (`Intake.process` with the front's verdicts:
  duplicates, rules, effects, receipts into the outbox), then the answer.

The front checks batch N+1 while the child stores batch N. The guarantees do not change: offsets are committed only
after the batch's transaction (the exact offsets of that batch, and only for partitions still assigned), and a
batch that is redelivered after a crash or a rebalance is skipped by the processed ids, as before. A child that dies
is started again and given the batches it had not answered (a stored one is skipped the second time). Two pipes
carry the batches (pickled records and verdicts) and the answers; the child's life is its input pipe: when the
front closes it or dies, the child finishes the batch in hand and exits.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import orjson
from kafka.structs import TopicPartition
from sqlalchemy.exc import DBAPIError

from hub.bootstrap import HubServices
from hub.entrypoints.consumer import MallocTrim, commit_offsets, keep_position, to_record, tune_gc
from hub.services.records import Record, Verdict

log = logging.getLogger(__name__)

#: batches handed to the child and not yet answered: one being stored, one waiting (checked ahead)
DEPTH = 2
#: while the child stores a batch, the front gathers the next in polls of this many ms until it answers
GATHER_MS = 5
#: after this long waiting for the child, the front pauses its partitions and polls (keeps its group membership)
KEEPALIVE_S = 1.0
#: a child that dies this many times in a row without answering a batch is not started again
MAX_RESTARTS = 3


class ApplyFailed(RuntimeError):
    """The apply process hit an error that is not the database being away (a bug): the worker stops."""


@dataclass
class InFlight:
    seq: int
    records: list[Record]
    data: bytes  # what was sent, kept to send again to a restarted child
    started: float
    offsets: dict[TopicPartition, int]  # next offset to consume per partition once this batch is stored


def batch_offsets(records: list[Record]) -> dict[TopicPartition, int]:
    out: dict[TopicPartition, int] = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        if r.offset + 1 > out.get(tp, -1):
            out[tp] = r.offset + 1
    return out


#: in place of a verdict's message (the only int there): "the record's value as orjson reads it"
AS_READ = 1


def encode_batch(seq: int, records: list[Record], verdicts: list[Verdict]) -> bytes:
    """A batch as plain tuples (pickling the dataclasses themselves took twice as long on both sides).

    A checked message that is exactly its record's value as parsed (nearly all: ``schemas.serde.parse`` takes the
    compact form the platform's encoders write) crosses as ``AS_READ``, and the child parses the value again:
    comparing and re-parsing cost less than pickling and unpickling the nested message (6.5 + 7.0 µs against
    3.4 + 4.0 µs per message measured on the bench's mix)."""
    dumps = orjson.dumps
    checked = []
    for r, v in zip(records, verdicts, strict=True):
        message = v.message
        if type(message) is dict:
            try:
                if dumps(message) == r.value:
                    message = AS_READ
            except TypeError:  # orjson.JSONEncodeError: a value only the reference validator makes; pickle it
                pass
        checked.append((v.code, v.reason, v.reason_zh, v.paths, v.rule, message))
    return pickle.dumps((seq, [tuple(r) for r in records], checked), protocol=pickle.HIGHEST_PROTOCOL)


def decode_batch(data: bytes) -> tuple[int, list[Record], list[Verdict]]:
    # the collector off while unpickling and parsing: a batch is ~50,000 new dicts and lists, none of them garbage,
    # and the young-generation collections they set off cost more than the unpickling (8.4 → 2.6 µs per message)
    enabled = gc.isenabled()
    gc.disable()
    try:
        seq, rows, checked = pickle.loads(data)  # noqa: S301 - our own child's pipe, never the network
        records = [Record._make(row) for row in rows]
        loads = orjson.loads
        verdicts = [Verdict(v[0], v[1], v[2], v[3], v[4], loads(r.value) if type(v[5]) is int else v[5])
                    for r, v in zip(records, checked, strict=True)]
    finally:
        if enabled:
            gc.enable()
    return seq, records, verdicts


class ApplyProcess:
    """The front's handle on its `jjj hub apply` child: send batches, read answers in order, restart it if it dies."""

    def __init__(self, worker_id: str, env: dict[str, str] | None = None) -> None:
        self.worker_id, self.env = worker_id, env
        self.proc: subprocess.Popen | None = None
        self._out: Connection | None = None  # batches to the child
        self._in: Connection | None = None  # answers from the child
        self.restarts = 0

    def start(self) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "jjj", "hub", "apply", "--worker-id",
                                          f"{self.worker_id}-apply", "--in-fd", str(to_child_r),
                                          "--out-fd", str(from_child_w)], pass_fds=(to_child_r, from_child_w),
                                         env=None if self.env is None else os.environ | self.env)
        except BaseException:
            for fd in (to_child_w, from_child_r):
                os.close(fd)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._out, self._in = Connection(to_child_w, readable=False), Connection(from_child_r, writable=False)

    def send(self, data: bytes) -> bool:
        """Hand a batch to the child; False if the child is gone (the caller restarts it)."""
        try:
            self._out.send_bytes(data)
            return True
        except OSError:
            return False

    def ready(self) -> bool:
        """An answer (or the end of the pipe: the child died) is waiting."""
        return self._in.poll(0)

    def answer(self, timeout_s: float):  # noqa: ANN201
        """The next answer, ``None`` if none came within ``timeout_s``; raises EOFError if the child died."""
        try:
            if not self._in.poll(timeout_s):
                return None
            seq, result, error = pickle.loads(self._in.recv_bytes())  # noqa: S301 - our own child
        except (EOFError, OSError) as exc:
            raise EOFError("the apply process exited") from exc
        if error is not None:
            raise ApplyFailed(error)
        return seq, result

    def restart(self, unanswered: list[InFlight]) -> None:
        """Start a new child and give it, in order, the batches the dead one had not answered."""
        self.restarts += 1
        code = self.proc.wait() if self.proc is not None else None
        if self.restarts > MAX_RESTARTS:
            raise ApplyFailed(f"the apply process died {self.restarts} times in a row (last exit code {code})")
        log.warning("the apply process exited with %s; starting it again with %d unanswered batches", code,
                    len(unanswered))
        self._close()
        self.start()
        for batch in unanswered:
            if not self.send(batch.data):
                break  # died again: the next answer() notices

    def _close(self) -> None:
        for conn in (self._out, self._in):
            if conn is not None:
                conn.close()
        self._out = self._in = None

    def stop(self, timeout_s: float = 60.0) -> None:
        """Close the child's input: it finishes what it holds and exits."""
        if self._out is not None:
            self._out.close()
            self._out = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("the apply process did not stop; killing it (its batch rolls back)")
                self.proc.kill()
                self.proc.wait()
        self._close()


def run(services: HubServices, stop: Callable[[], bool], *, poll_ms: int, sender, trim) -> None:  # noqa: ANN001
    """The front's loop (called by ``consumer.run`` with ``apply="process"``, which owns the relay and the trim)."""
    consumer, intake, metrics = services.consumer(), services.intake, services.metrics
    child = ApplyProcess(services.worker_id, env=services.settings.to_env())
    child.start()
    inflight: deque[InFlight] = deque()
    seq = 0

    def finish_one() -> bool:
        """Wait for the oldest batch's answer, then count it, wake the relay and commit its offsets."""
        answer = _await(child, consumer, inflight, stop)
        if answer is None:
            return False
        done = inflight.popleft()
        got_seq, result = answer
        if got_seq != done.seq:
            raise ApplyFailed(f"the apply process answered batch {got_seq}, expected {done.seq}")
        child.restarts = 0
        metrics.observe_batch(done.records, result, time.monotonic() - done.started)
        sender.wake()
        commit_offsets(consumer, stop, done.offsets)
        trim.maybe()
        return True

    def take(max_records: int, timeout_ms: int) -> tuple[list[Record], list[Verdict]]:
        polled = consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        records = [to_record(r) for batch in polled.values() for r in batch]
        return records, [intake.check(r) for r in records]

    def settle() -> None:
        """Count the answers that are already there."""
        while inflight and child.ready():
            if not finish_one():
                return

    full = services.max_poll_records
    try:
        while not stop():
            records, verdicts = take(full, 0 if inflight else poll_ms)
            if records:
                settle()
                # the child is busy and this batch is not full: rather than queue a small batch behind the child's,
                # gather more until the child answers (a steady stream keeps the batch sizes of the one-process loop:
                # each batch has a fixed cost, the processed look-up, each touched entity's recompute, the commit);
                # a backlog fills the batch at once and is queued, so the child always has the next one ready
                while inflight and len(records) < full and not stop():
                    more, checked = take(full - len(records), GATHER_MS)
                    records, verdicts = records + more, verdicts + checked
                    settle()
                while len(inflight) >= DEPTH:
                    if not finish_one():
                        break
                seq += 1
                started = time.monotonic()  # the batch's time (jjj_hub_batch_seconds): handed over → stored
                data = encode_batch(seq, records, verdicts)
                batch = InFlight(seq, records, data, started, batch_offsets(records))
                inflight.append(batch)
                if not child.send(data):
                    child.restart(list(inflight))
            elif inflight:
                finish_one()
            else:
                trim.idle()
            metrics.observe_lag(consumer)
        while inflight:  # stopping: what the child holds is stored and committed, up to a minute
            if not finish_one():
                break
    finally:
        child.stop()
        consumer.close()


def _await(child: ApplyProcess, consumer, inflight: deque[InFlight], stop: Callable[[], bool]):  # noqa: ANN001, ANN202
    """The next answer. While it takes long (a database outage, a big batch) the front pauses its partitions and
    polls, so the group does not count it as dead. Returns None if told to stop while waiting more than a minute."""
    paused, waited_since = False, time.monotonic()
    try:
        while True:
            try:
                answer = child.answer(0.1 if paused else KEEPALIVE_S)
            except EOFError:
                child.restart(list(inflight))
                continue
            if answer is not None:
                return answer
            if stop() and time.monotonic() - waited_since > 60:
                log.warning("stopping with %d batches unanswered; they will be redelivered and skipped",
                            len(inflight))
                return None
            if not paused:
                consumer.pause(*consumer.assignment())
                paused = True
            keep_position(consumer, consumer.poll(timeout_ms=0))  # keeps group membership while paused
    finally:
        if paused:
            consumer.resume(*consumer.paused())


# -- the child ---------------------------------------------------------------------------------------------------
def apply_main(services: HubServices, in_fd: int, out_fd: int) -> None:
    """`jjj hub apply`: store the batches the front sends (one transaction each), answer each, until end of input."""
    intake = services.intake
    tune_gc()
    source, answers = Connection(in_fd, writable=False), Connection(out_fd, readable=False)
    inbox: queue.Queue[bytes | None] = queue.Queue()
    closed = threading.Event()

    def read() -> None:  # the next batch comes off the pipe while this one is stored
        try:
            while True:
                inbox.put(source.recv_bytes())
        except (EOFError, OSError):
            closed.set()
            inbox.put(None)

    threading.Thread(target=read, name="hub-apply-read", daemon=True).start()
    trim = MallocTrim(float(os.environ.get("JJJ_HUB_MALLOC_TRIM_S", "10")))
    log.info("hub apply process %s storing batches", services.worker_id)
    while True:
        try:
            data = inbox.get(timeout=MallocTrim.IDLE_MIN_S)
        except queue.Empty:  # no batch for a while (as long as idle trims are apart): give the last ones' pages back
            trim.idle()
            continue
        if data is None:
            return
        seq, records, verdicts = decode_batch(data)
        try:
            result = _store(intake, records, verdicts, closed)
        except Exception as exc:  # noqa: BLE001 - reported to the front, which stops the worker
            log.exception("storing batch %d failed", seq)
            _answer(answers, (seq, None, f"{type(exc).__name__}: {exc}"))
            return
        if result is None:  # the front is gone and the database is away: the batch will be redelivered
            return
        if not _answer(answers, (seq, result, None)):
            return
        trim.maybe()


def _store(intake, records: list[Record], verdicts: list, closed: threading.Event):  # noqa: ANN001, ANN202
    delay = 0.5
    while True:
        try:
            return intake.process(records, verdicts)
        except DBAPIError as exc:
            if closed.is_set():
                return None
            log.warning("database unavailable (%s); retrying in %.1fs (offsets stay uncommitted)", exc.orig, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def _answer(answers: Connection, message: tuple) -> bool:
    try:
        answers.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        return True
    except OSError:  # the front is gone
        return False
