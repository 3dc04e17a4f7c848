"""Tianjin's 灾情更正 and 灾情撤销 exports: changes to an event after its reports (one row each).

A correction is a full new snapshot after the 核报 (same figure columns as the 灾情统计表: 亩 → 公顷, 元 → 万元);
both reference the adapter's last message about the event unless ``回复消息编号`` names one.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core.errors import bad
from adapters.core.mapping import CodeMap, collect, get, indicators, label
from adapters.core.spec import MapContext
from adapters.tianjin.columns import COUNT, TIME, Col, Refs, Table, plain
from adapters.tianjin.disaster import INDICATORS, _ids, decreases
from adapters.tianjin.places import DISTRICT

PREVIOUS = Refs(("disaster.report", "disaster.correction"), "event_id")
CANCEL_REASONS = CodeMap("cancel reason", "撤销原因", {
    "重复报送": "duplicate", "重复": "duplicate", "录入错误": "entered_in_error", "误报": "entered_in_error",
    "非灾害事件": "not_a_disaster", "不属于灾害": "not_a_disaster", "合并": "merged", "并入其他灾情": "merged"})


def _snapshot(payload: dict, row: Mapping, ctx: MapContext) -> dict:
    """Figures, and the name list (held by the 填报区) when deaths or missing persons are listed."""
    totals, deaths, missing = collect(lambda: indicators(row, INDICATORS), lambda: _ids(row, "死亡人员身份证号", ctx),
                                      lambda: _ids(row, "失踪人员身份证号", ctx))
    if not totals:
        raise bad("totals", "a correction carries the full corrected figures; every figure column is blank",
                  "更正须填报完整的更正后数据，所有指标列均为空")
    payload["totals"] = totals
    stated = decreases(row)
    if stated:
        payload["decreases"] = stated
    if deaths or missing:
        unit = DISTRICT(get(row, "填报区", "name_list.held_by_unit_code"), label("填报区", "name_list.held_by_unit_code"))
        payload["name_list"] = {"held_by_unit_code": unit, "deaths": deaths, "missing": missing}
    if row.get("情况说明"):
        payload["narrative"] = str(row["情况说明"])
    return payload


CORRECTION = Table(
    "disaster.correction", refs=PREVIOUS, finish=_snapshot,
    head=(Col("灾情编号", "event_id"), Col("报告序号", "revision", COUNT), Col("更正报告序号", "corrects_revision", COUNT),
          Col("统计截至", "data_as_of", TIME), Col("更正原因", "reason")))

CANCEL = Table(
    "disaster.cancel", refs=PREVIOUS,
    head=(Col("灾情编号", "event_id"), Col("撤销原因", "reason_code", plain(CANCEL_REASONS)),
          Col("并入灾情编号", "merged_into_event_id", required=False), Col("撤销说明", "reason")))
