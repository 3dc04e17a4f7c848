"""Beijing's 灾情更正 (a full new snapshot after the 核报, with its reason) and 灾情撤销 (withdraw an event).

Both reference the message they change: the platform may quote it (原报告消息编号, from the intake's 202 answer);
otherwise the adapter takes its own latest correction, else its latest report, of the same 灾情编号.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.beijing.codes import choice
from adapters.beijing.fieldmap import DocMap, F, references
from adapters.beijing.mapping import DISTRICT, INDICATORS, _flat, breakdown
from adapters.core import units as u
from adapters.core.errors import Problem, RowError
from adapters.core.mapping import as_list, as_object, collect, get, indicators, label, native_time, text_field
from adapters.core.spec import Canonical, MapContext

ORIGINAL = "原报告消息编号"
PREVIOUS = (("disaster.correction", "event_id"), ("disaster.report", "event_id"))
#: 核减说明 names the indicator as the platform does (倒塌房屋) → the canonical path (housing.collapsed.rooms)
INDICATOR_PATHS = {native: path for native, path, _ in INDICATORS}


def _decreases(value: object) -> list[dict]:
    out, problems = [], []
    for i, d in enumerate(as_list(value, label("核减说明", "decreases"))):
        w = f"核减说明[{i}]"
        try:
            d = as_object(d, w)
            name, reason = collect(lambda d=d, w=w: get(d, "指标", f"{w}.指标"), lambda d=d, w=w: get(d, "原因", f"{w}.原因"))
            if str(name) not in INDICATOR_PATHS:
                raise RowError(Problem(label(f"{w}.指标", f"decreases[{i}].indicator"), f"unknown indicator {name!r}",
                                       f"未知的指标“{name}”"))
            out.append({"indicator": INDICATOR_PATHS[str(name)], "reason": str(reason)})
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    return out


def correction(doc: Mapping, ctx: MapContext) -> Canonical:
    """灾情更正 → disaster.correction: the corrected figures in full, 分区数据 and 死亡失踪人员 as in a report."""
    doc = as_object(doc, "$")
    districts, persons, decreases, unit, totals, revision, corrects, as_of, reason, event_id = collect(
        lambda: as_list(doc.get("分区数据"), "分区数据"), lambda: as_list(doc.get("死亡失踪人员"), "死亡失踪人员"),
        lambda: _decreases(doc.get("核减说明")),
        lambda: DISTRICT(get(doc, "填报单位", "name_list.held_by_unit_code"), label("填报单位", "name_list.held_by_unit_code")),
        lambda: indicators(_flat(doc), INDICATORS),
        lambda: u.count(get(doc, "报告次数", "revision"), label("报告次数", "revision")),
        lambda: u.count(get(doc, "更正报告次数", "corrects_revision"), label("更正报告次数", "corrects_revision")),
        lambda: native_time(get(doc, "统计截止时间", "data_as_of"), label("统计截止时间", "data_as_of")),
        lambda: text_field(doc, "更正原因", "reason"), lambda: text_field(doc, "灾情编号", "event_id"))
    payload = {"event_id": event_id, "revision": revision, "corrects_revision": corrects, "data_as_of": as_of,
               "reason": reason, "totals": totals, **breakdown(districts, persons, unit, ctx)}
    if decreases:
        payload["decreases"] = decreases
    if doc.get("灾情描述"):
        payload["narrative"] = str(doc["灾情描述"])
    problems: list[Problem] = []
    refs = references("disaster.correction", doc, payload, ctx, problems, ORIGINAL, PREVIOUS)
    if problems:
        raise RowError(problems)
    return Canonical("disaster.correction", payload, references=refs)


CANCEL_REASONS = choice("cancel reason", "撤销原因", {
    "重复报送": "duplicate", "误报": "entered_in_error", "录入错误": "entered_in_error",
    "非灾害事件": "not_a_disaster", "合并": "merged", "并入其他灾情": "merged"})

#: 灾情撤销
CANCEL = DocMap("disaster.cancel", (
    F("灾情编号", "event_id"), F("撤销原因", "reason_code", CANCEL_REASONS),
    F("并入灾情编号", "merged_into_event_id", required=False), F("撤销说明", "reason"),
), answers=ORIGINAL, previous=PREVIOUS)

#: canonical path → native field of a correction, for the contract's own errors
CORRECTION_FIELDS = {"payload.event_id": "灾情编号", "payload.revision": "报告次数",
                     "payload.corrects_revision": "更正报告次数", "payload.reason": "更正原因",
                     "payload.data_as_of": "统计截止时间", "payload.decreases.indicator": "核减说明[].指标",
                     "references": ORIGINAL,
                     **{f"payload.totals.{p}": n for n, p, _ in INDICATORS},
                     **{f"payload.counties.indicators.{p}": f"分区数据[].{n}" for n, p, _ in INDICATORS}}
