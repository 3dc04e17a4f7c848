"""Deliberately bad messages: what a misbehaving provincial system or a tampered link puts on the bus.

They go to the broker directly (not through an adapter, which would refuse them at the edge) so the hub's
checks answer them with receipts and dead letters the dashboard shows. Each fault is a ``Step`` with
``fault`` set and the receipt code the hub must give (contracts.md "Guarantees").
Message ids are derived from the step id, so replaying a fault can only ever be a harmless duplicate.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime

from jjj.demo.timeline import Step, at, ts

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def deterministic_ulid(step_id: str, when: datetime) -> str:
    """A valid ULID whose time part is ``when`` and whose random part is a hash of ``step_id``."""
    ms = int(when.timestamp() * 1000)
    rnd = int.from_bytes(hashlib.sha256(step_id.encode()).digest()[:10], "big")
    enc = lambda v, n: "".join(_CROCKFORD[(v >> (5 * (n - 1 - i))) & 31] for i in range(n))  # noqa: E731
    return enc(ms, 10) + enc(rnd, 16)


def raw_bytes(msg: dict) -> bytes:
    """JSON as the contract writes it, but without validation (these messages are meant to be wrong)."""
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def steps(disaster_steps: list[Step]) -> list[Step]:
    """Six bad messages spread over the flood days; shapes borrowed from the scenario's own good reports."""
    bj_report = next(s for s in disaster_steps if s.step_id == "disaster/BJ-2026-0729-FS01/r2").payload
    he_report = next(s for s in disaster_steps if s.step_id == "disaster/HE-2026-0729-LS01/r2").payload

    hectares_as_number = copy.deepcopy(bj_report)
    hectares_as_number.update(event_id="BJ-2026-0729-FS01-X", revision=2, data_as_of=ts(2, 6))
    hectares_as_number["totals"]["agriculture"]["crops_affected_ha"] = 3873.5  # a float: 400 schema invalid
    hectares_as_number.pop("counties", None)

    split_broken = copy.deepcopy(he_report)
    split_broken.update(event_id="HE-2026-0729-LS01-X")
    split_broken["totals"]["people"]["relocated_dispersed"] += 500  # 集中 + 分散 ≠ 累计: 420
    split_broken.pop("counties", None)

    heartbeat = {"adapter_id": "tj-legacy-gateway", "started_at": ts(2, 0), "outbox_depth": 0,
                 "oldest_pending_at": None, "last_published_at": ts(2, 11), "software_version": "tj-gw/2.3"}
    snapshot = {"depot": {"depot_id": "TJ-D-WQ01", "name": "武清区救灾物资储备库", "tier": "county", "unit_code": "120114"},
                "as_of": ts(2, 12), "lines": [{"item_code": "quilt", "unit": "床", "storage_mode": "physical",
                                               "on_hand": 2_100, "reserved": 0, "damaged": 0}]}
    return [
        Step("fault/schema-invalid", at(2, 10), "bj", "disaster.report", hectares_as_number,
             "坏消息：面积写成浮点数（400）", fault="plain", expect_code=400),
        Step("fault/rule-broken", at(3, 13), "he", "disaster.report", split_broken,
             "坏消息：集中+分散≠转移安置（420）", fault="plain", expect_code=420, expect_rule="disaster.relocation_split"),
        Step("fault/bad-signature", at(2, 12.5), "tj", "relief.stock_snapshot", snapshot,
             "坏消息：签名被篡改（410）", fault="tampered", expect_code=410),
        Step("fault/wrong-sender", at(4, 8), "tj", "relief.stock_snapshot", {**snapshot, "as_of": ts(4, 8)},
             "坏消息：河北发送方写入天津主题（310）", fault="foreign_sender", expect_code=310),
        Step("fault/expired", at(5, 9), "bj", "heartbeat.heartbeat", {**heartbeat, "adapter_id": "bj-legacy-gateway"},
             "坏消息：已过期（203）", fault="expired", expect_code=203),
        Step("fault/duplicate", at(5, 12), "tj", "heartbeat.heartbeat", heartbeat,
             "重复消息：同一消息发送两次（100 + 201）", fault="twice", expect_code=201),
    ]
