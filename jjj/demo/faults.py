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
from collections.abc import Callable
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


def native_steps(disaster_steps: list[Step], ref: Callable[[str], dict]) -> list[Step]:
    """Three inputs the regions' own adapters refuse at the edge (located error, kept in their rejects table):
    no message reaches the bus, so no hub receipt is expected (``expect_code`` 0)."""
    from datetime import date

    from jjj.demo.people import id_number

    bj_report = next(s for s in disaster_steps if s.step_id == "disaster/BJ-2026-0729-MTG01/r1").payload
    zz_initial = next(s for s in disaster_steps if s.step_id == "disaster/HE-2026-0729-ZZ01/r1").payload
    elder = id_number("110105", date(1941, 3, 17), 102)
    claim = {"claim_id": "TJ-F-WQ01-110105-2026-08-X", "facility": {"facility_id": "TJ-F-WQ01", "name": "武清瑞景老年公寓",
                                                                     "unit_code": "120114"},
             "facility_region": "tj", "payer_district_code": "110105", "period": "2026-08",
             "lines": [{"line_id": "TJ-F-WQ01-110105-2026-08-X-L1", "elder_ref": ref(elder),
                        "enrolment_id": "EN-110105-EX-TJ-F-WQ01", "subsidy_type": "bed_operation_able",
                        "days_in_care": 31, "amount_fen": 50_000}], "line_count": 1, "total_fen": 50_000}
    forecast = {**zz_initial, "event_id": "HE-2026-0801-ZZ02", "data_as_of": ts(3, 20)}
    return [
        Step("native/bj-unknown-district", at(1, 9.5), "bj", "disaster.report", {**bj_report, "revision": 1},
             "坏输入：北京推送的区划编号“京-99”不存在（适配器 400 拒收）", fault="native", expect_code=0,
             native={"corrupt": "district"}),
        Step("native/he-cap-forecast", at(3, 20), "he", "disaster.report", forecast,
             "坏输入：河北 CAP 预警为预报（certainty Likely），不是灾情（适配器拒收）", fault="native", expect_code=0,
             native={"cap": True, "corrupt": "forecast"}),
        Step("native/tj-bad-check-digit", at(38, 9), "tj", "eldercare.claim", claim,
             "坏输入：天津申报明细身份证号校验码错误（适配器拒收该行）", fault="native", expect_code=0,
             native={"corrupt": "id_check_digit"}),
    ]
