"""CAP 1.2 (OASIS Common Alerting Protocol) alerts from Hebei's early-warning system.

An observed event (``msgType`` Alert, ``certainty`` Observed) becomes a 初报 ``disaster.report`` (revision 1)
with the figures carried as ``<parameter>``s; a ``Cancel`` becomes ``disaster.cancel`` referencing our last
message about that event.  Forecast warnings (certainty Likely/Possible/Unlikely) are refused with a reason:
the contract has no warning kind yet.  The alert is checked against the CAP 1.2 element structure first:
an unknown element is refused by its path, never ignored.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from adapters.core import units as u
from adapters.core.errors import Problem, RowError, bad
from adapters.core.mapping import indicators, native_time
from adapters.core.spec import Canonical, MapContext
from adapters.core.xmlsource import all_named, local, text
from adapters.hebei.codes import division
from adapters.hebei.config import CAP_EVENTS

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
#: CAP 1.2 §3.2: the elements each block may hold.
STRUCTURE = {
    "alert": {"identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
              "code", "note", "references", "incidents", "info"},
    "info": {"language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience",
             "eventCode", "effective", "onset", "expires", "senderName", "headline", "description", "instruction",
             "web", "contact", "parameter", "resource", "area"},
    "area": {"areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"},
    "resource": {"resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"},
    "parameter": {"valueName", "value"}, "eventCode": {"valueName", "value"}, "geocode": {"valueName", "value"},
}
STATUSES = {"Actual": "actual", "Exercise": "exercise", "Test": "test"}
#: <parameter> valueNames carrying figures (national statistics names) → canonical path and unit.
PARAMETERS = [
    ("受灾人口", "people.affected", u.count), ("因灾死亡", "people.deaths", u.count),
    ("因灾失踪", "people.missing", u.count), ("因灾受伤", "people.injured", u.count),
    ("紧急避险转移", "people.evacuated", u.count), ("紧急转移安置", "people.relocated_cumulative", u.count),
    ("其中集中安置", "people.relocated_centralised", u.count), ("其中分散安置", "people.relocated_dispersed", u.count),
    ("倒塌房屋", "housing.collapsed.rooms", u.count), ("农作物受灾面积（公顷）", "agriculture.crops_affected_ha", u.hectares),
    ("直接经济损失（万元）", "losses.total", u.wanyuan),
]


def check_structure(elem: ET.Element, path: str = "/alert") -> list[Problem]:
    """Every element must be a CAP 1.2 element (in the CAP namespace) allowed where it stands."""
    problems = []
    allowed = STRUCTURE.get(local(elem.tag), set())
    counts: dict[str, int] = {}
    for c in elem:
        name = local(c.tag)
        counts[name] = counts.get(name, 0) + 1
        where = f"{path}/{name}[{counts[name]}]" if name in ("info", "area", "parameter") else f"{path}/{name}"
        if not c.tag.startswith("{" + CAP_NS + "}") or name not in allowed:
            problems.append(Problem(where, "unknown CAP 1.2 element", "不是 CAP 1.2 规定的元素"))
            continue
        if name in STRUCTURE:
            problems.extend(check_structure(c, where))
    return problems


def _ident(value: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9._:-]", "-", value)[:64].lstrip("._:-")
    if not ident:
        raise bad("/alert/identifier", "identifier has no usable characters", "预警标识不可用")
    return ident


def _pairs(info: ET.Element, name: str) -> dict[str, str]:
    return {text(p, "valueName"): text(p, "value") for p in all_named(info, name)}


def _counties(info: ET.Element, ctx: MapContext) -> list[str]:
    names = set(ctx.config.get("cap_geocode_names", ()))
    out = []
    for a, area in enumerate(all_named(info, "area"), start=1):
        for g, geo in enumerate(all_named(area, "geocode"), start=1):
            if text(geo, "valueName") in names:
                out.append(division(text(geo, "value"), f"/alert/info/area[{a}]/geocode[{g}]/value"))
    if not out:
        raise bad("/alert/info/area/geocode", f"no geocode with valueName in {sorted(names)}",
                  "没有行政区划代码（geocode）")
    return out


def _reporting_unit(codes: list[str]) -> str:
    if len(set(codes)) == 1:
        return codes[0]
    prefectures = {c[:4] + "00" for c in codes}
    return prefectures.pop() if len(prefectures) == 1 else "130000"


def alert(elem: ET.Element, ctx: MapContext) -> Canonical:
    """One CAP <alert> → disaster.report (initial) or disaster.cancel."""
    if local(elem.tag) != "alert" or not elem.tag.startswith("{" + CAP_NS + "}"):
        raise bad("/", f"not a CAP 1.2 alert (root must be {{{CAP_NS}}}alert)", "不是 CAP 1.2 预警信息")
    problems = check_structure(elem)
    if problems:
        raise RowError(problems)
    status = STATUSES.get(text(elem, "status"))
    if status is None:
        raise bad("/alert/status", f"status {text(elem, 'status')} is not forwarded (only Actual/Exercise/Test)",
                  "仅转发 Actual/Exercise/Test 状态的预警")
    msg_type, identifier = text(elem, "msgType"), text(elem, "identifier")
    if msg_type == "Cancel":
        return _cancel(elem, ctx, status)
    if msg_type != "Alert":
        raise bad("/alert/msgType", f"msgType {msg_type} is not mapped: updates come as 续报 from the statistics "
                  "export", f"不处理 {msg_type} 类型：续报由灾情统计系统报送")
    infos = all_named(elem, "info")
    if not infos:
        raise bad("/alert/info", "an alert without <info> carries no event", "预警信息缺少 info")
    info = infos[0]
    if text(info, "certainty") != "Observed":
        raise bad("/alert/info[1]/certainty", f"certainty {text(info, 'certainty')}: a warning, not a disaster "
                  "report; the contract has no warning kind yet", "这是预警而非灾情：平台暂无预警消息类型")
    event = text(info, "event")
    if event not in CAP_EVENTS:
        raise bad("/alert/info[1]/event", f"unknown event {event!r}", f"未知的预警事件“{event}”")
    dtype, sub = CAP_EVENTS[event]
    sent = native_time(text(elem, "sent"), "/alert/sent")
    onset = text(info, "onset", required=False) or text(info, "effective", required=False) or text(elem, "sent")
    figures = indicators(_pairs(info, "parameter"), PARAMETERS)
    payload = {"event_id": _ident(identifier), "disaster_type": dtype, "stage": "initial", "revision": 1,
               "started_on": native_time(onset, "/alert/info[1]/onset")[:10], "data_as_of": sent,
               "reporting_unit_code": _reporting_unit(_counties(info, ctx)), "totals": figures}
    if sub:
        payload["sub_type"] = sub
    narrative = "\n".join(x for x in (text(info, "headline", required=False),
                                      text(info, "description", required=False)) if x)
    if narrative:
        payload["narrative"] = narrative[:4000]
    return Canonical("disaster.report", payload, status=status)


def _cancel(elem: ET.Element, ctx: MapContext, status: str) -> Canonical:
    refs = text(elem, "references", required=False)
    if not refs:
        raise bad("/alert/references", "a Cancel must reference the alert it cancels", "撤销须引用原预警")
    # CAP references: "sender,identifier,sent" triples separated by blanks; the event is the first one's id
    original = _ident(refs.split()[0].split(",")[1] if "," in refs else refs.split()[0])
    previous = ctx.last_message_id("disaster.report", original)
    if previous is None:
        raise bad("/alert/references", f"no report of event {original} was sent by this adapter",
                  f"本适配器未报送过事件 {original}")
    return Canonical("disaster.cancel", {"event_id": original, "reason_code": "not_a_disaster",
                                         "reason": text(elem, "note", required=False) or "预警发布系统撤销"},
                     references=(previous,), status=status)
