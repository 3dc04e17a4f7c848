"""Disaster reports (domain.md §1, 自然灾害情况统计调查制度): report, correction, cancel.

Units: people 人, housing 间 and 户, crop areas 公顷 (decimal string, scale 2), livestock 头只,
lines 千米 / 皮长公里 (scale 2), schools and hospitals 个, losses 万元 (scale 2).  Every 续报 is a
full snapshot; rules on falling cumulative figures need history and live in the hub, but a report
may carry its stated reasons in ``decreases``.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import fields as f
from schemas import refdata
from schemas.base import ContractSchema
from schemas.errors import FieldError
from schemas.payloads.common import EventRef
from schemas.rules import at, not_above, num, violation

STAGES = ("initial", "update", "final")
STAGE_ZH = {"initial": "初报", "update": "续报", "final": "核报"}


class People(ContractSchema):
    """人员 (人). ``relocated_*``: 紧急转移安置; 集中 + 分散 = 累计 (rule disaster.relocation_split)."""

    affected = f.Count()                       # 受灾人口
    deaths = f.Count()                         # 因灾死亡
    missing = f.Count()                        # 因灾失踪
    injured = f.Count()                        # 因灾受伤
    injured_severe = f.Count()                 # 其中重伤
    evacuated = f.Count()                      # 紧急避险转移
    relocated_cumulative = f.Count()           # 紧急转移安置（累计）
    relocated_current = f.Count()              # 紧急转移安置（实时）
    relocated_centralised = f.Count()          # 其中集中安置
    relocated_dispersed = f.Count()            # 其中分散安置
    shelter_sites = f.Count()                  # 集中安置点数量（个）
    need_emergency_aid_cumulative = f.Count()  # 需紧急生活救助（累计）
    need_emergency_aid_current = f.Count()     # 需紧急生活救助（实时）
    need_transitional_aid = f.Count()          # 需过渡期生活救助
    drought_need_aid = f.Count()               # 因旱需生活救助


class HousingDamage(ContractSchema):
    """One damage grade: rooms (间), of which dwellings (间) and dwelling households (户)."""

    rooms = f.Count()
    dwelling_rooms = f.Count()
    dwelling_households = f.Count()


class Housing(ContractSchema):
    """房屋: 倒塌 / 严重损坏 / 一般损坏."""

    collapsed = f.Nested(HousingDamage)
    severely_damaged = f.Nested(HousingDamage)
    generally_damaged = f.Nested(HousingDamage)


class Agriculture(ContractSchema):
    """农作物 (公顷, scale 2; adapters convert 亩 at 15 亩 = 1 公顷) and 死亡牲畜 (头只)."""

    crops_affected_ha = f.Decimal()
    crops_damaged_ha = f.Decimal()
    crops_lost_ha = f.Decimal()
    grain_affected_ha = f.Decimal()
    grain_damaged_ha = f.Decimal()
    grain_lost_ha = f.Decimal()
    livestock_deaths = f.Count()


class Infrastructure(ContractSchema):
    """受损基础设施: lines in 千米 (通信线路 in 皮长公里), schools and hospitals in 个."""

    roads_km = f.Decimal()
    power_lines_km = f.Decimal()
    dikes_km = f.Decimal()
    telecom_lines_km = f.Decimal()
    schools = f.Count()
    hospitals = f.Count()


LOSS_PARTS = ("housing_household", "agriculture", "industry_commerce", "infrastructure", "public_services", "other")


class Losses(ContractSchema):
    """直接经济损失 (万元, scale 2) and its six parts."""

    total = f.Decimal()
    housing_household = f.Decimal()   # 住房及居民家庭财产
    agriculture = f.Decimal()         # 农林牧渔
    industry_commerce = f.Decimal()   # 工矿商贸
    infrastructure = f.Decimal()      # 基础设施
    public_services = f.Decimal()     # 公共服务
    other = f.Decimal()               # 其他


class Indicators(ContractSchema):
    """All indicator groups; each group and figure is optional (not every disaster touches every one)."""

    people = f.Nested(People)
    housing = f.Nested(Housing)
    agriculture = f.Nested(Agriculture)
    infrastructure = f.Nested(Infrastructure)
    losses = f.Nested(Losses)


class Township(ContractSchema):
    """统计单位: a township (乡镇/街道) with its statistical code when known."""

    township_code = f.Str(max_length=12, pattern=r"^[0-9]{9}([0-9]{3})?$", pattern_key="invalid")
    name = f.Text(max_length=50, required=True)
    indicators = f.Nested(Indicators, required=True)


class County(ContractSchema):
    """A county-level unit's figures and its township breakdown (may be partial)."""

    county_code = f.CountyCode(required=True)
    indicators = f.Nested(Indicators, required=True)
    townships = f.ListOf(f.Nested(Township), max_items=200)


class NameList(ContractSchema):
    """Deaths/missing as pseudonyms only: the name list itself stays in the region (domain.md §1)."""

    held_by_unit_code = f.DivisionCode(required=True)
    deaths = f.ListOf(f.PersonRef(), required=True, max_items=5000)
    missing = f.ListOf(f.PersonRef(), required=True, max_items=5000)


class Decrease(ContractSchema):
    """The stated reason for a cumulative figure that fell since the previous report."""

    indicator = f.Str(max_length=80, pattern=r"^[a-z_]+\.[a-z_]+(\.[a-z_]+)?$", pattern_key="invalid", required=True)
    reason = f.Text(max_length=500, required=True)


class _Snapshot(ContractSchema):
    event_id = f.Ident(required=True)
    revision = f.Int(minimum=1, maximum=10_000, required=True)
    data_as_of = f.Timestamp(required=True)
    totals = f.Nested(Indicators, required=True)
    counties = f.ListOf(f.Nested(County), max_items=250)
    name_list = f.Nested(NameList)
    decreases = f.ListOf(f.Nested(Decrease), max_items=100)
    narrative = f.Text(max_length=4000)


class DisasterReport(_Snapshot):
    """初报/续报/核报 of one disaster event; ``event_id`` is the reporting region's own id."""

    disaster_type = f.Catalogue("disaster types", "灾种", refdata.DISASTER_TYPES, required=True)
    sub_type = f.Catalogue("disaster sub-types", "灾种子类",
                           sorted({s for t in refdata.DISASTER_TYPES.values() for s in t.sub_types}))
    typhoon_number = f.Str(max_length=4, pattern=r"^[0-9]{4}$", pattern_key="invalid")
    started_on = f.Date(required=True)
    stage = f.Choice(STAGES, required=True)
    reporting_unit_code = f.DivisionCode(required=True)
    shared_event_ref = f.Nested(EventRef)


class DisasterCorrection(_Snapshot):
    """A correction after the 核报: a full new snapshot with the reason (references the corrected report)."""

    corrects_revision = f.Int(minimum=1, maximum=10_000, required=True)
    reason = f.Text(max_length=1000, required=True)


CANCEL_REASONS = ("duplicate", "entered_in_error", "not_a_disaster", "merged")


class DisasterCancel(ContractSchema):
    """Withdraws an event (a duplicate, an error, or merged into another event)."""

    event_id = f.Ident(required=True)
    reason_code = f.Choice(CANCEL_REASONS, required=True)
    merged_into_event_id = f.Ident()
    reason = f.Text(max_length=1000, required=True)


# ---------------------------------------------------------------- rules (domain.md §1 "Validation")

#: (rule, part, whole, part in Chinese, whole in Chinese): ``part ≤ whole`` inside one indicator group
_PEOPLE_PAIRS = (
    ("disaster.subset", "injured_severe", "injured", "其中重伤", "因灾受伤"),
    ("disaster.current_le_cumulative", "relocated_current", "relocated_cumulative", "紧急转移安置实时值", "累计值"),
    (
        "disaster.current_le_cumulative",
        "need_emergency_aid_current",
        "need_emergency_aid_cumulative",
        "需紧急生活救助实时值",
        "累计值",
    ),
)
_CROP_PAIRS = tuple(
    pair
    for crop, zh in (("crops", "农作物"), ("grain", "粮食作物"))
    for pair in (
        ("disaster.crop_order", f"{crop}_lost_ha", f"{crop}_damaged_ha", f"{zh}绝收面积", "成灾面积"),
        ("disaster.crop_order", f"{crop}_damaged_ha", f"{crop}_affected_ha", f"{zh}成灾面积", "受灾面积"),
        ("disaster.crop_order", f"{crop}_lost_ha", f"{crop}_affected_ha", f"{zh}绝收面积", "受灾面积"),
    )
) + tuple(
    ("disaster.subset", f"grain_{k}_ha", f"crops_{k}_ha", "其中粮食作物", "农作物")
    for k in ("affected", "damaged", "lost")
)
_SPLIT = ("relocated_centralised", "relocated_dispersed", "relocated_cumulative")


def _pairs(obj: dict, base: str, pairs: tuple) -> list[FieldError]:
    """``not_above`` over a table of pairs, as one plain loop (these rules run on every report's every county and
    township: generators per pair were a visible share of the hub's validation time)."""
    out = []
    for rule, part, whole, zh_part, zh_whole in pairs:
        if part in obj and whole in obj and num(obj[part]) > num(obj[whole]):
            out.extend(not_above(rule, obj, base, part, whole, zh_part, zh_whole))
    return out


def _indicator_rules(ind: dict, base: str) -> list[FieldError]:
    out: list[FieldError] = []
    p = ind.get("people")
    if p:
        pb = at(base, "people")
        out += _pairs(p, pb, _PEOPLE_PAIRS)
        if any(k in p for k in _SPLIT):
            c, d, t = (p.get(k, 0) for k in _SPLIT)
            if c + d != t:
                out.append(
                    violation(
                        "disaster.relocation_split",
                        at(pb, "relocated_cumulative"),
                        f"relocated_centralised ({c}) + relocated_dispersed ({d}) must equal "
                        f"relocated_cumulative ({t}).",
                        f"集中安置（{c}）+ 分散安置（{d}）应等于紧急转移安置人口（{t}）。",
                    )
                )
    for grade, damage in ind.get("housing", {}).items():
        if "dwelling_rooms" in damage and "rooms" in damage:
            out.extend(
                not_above(
                    "disaster.subset",
                    damage,
                    at(base, "housing", grade),
                    "dwelling_rooms",
                    "rooms",
                    "其中住房",
                    "房屋间数",
                )
            )
    a = ind.get("agriculture")
    if a:
        out += _pairs(a, at(base, "agriculture"), _CROP_PAIRS)
    losses = ind.get("losses", {})
    parts = [k for k in LOSS_PARTS if k in losses]
    if parts and "total" in losses:
        s, total = sum(num(losses[k]) for k in parts), num(losses["total"])
        if s > total or (len(parts) == len(LOSS_PARTS) and s != total):
            out.append(
                violation(
                    "disaster.loss_split",
                    at(base, "losses", "total"),
                    f"The parts of the direct economic loss add up to {s / 100:.2f}, not the total {losses['total']}.",
                    f"直接经济损失分项合计 {s / 100:.2f} 万元，与总计 {losses['total']} 万元不符。",
                )
            )
    return out


def _flat(ind: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for group, values in ind.items():
        for k, v in values.items():
            if isinstance(v, dict):
                out.update({f"{group}.{k}.{kk}": vv for kk, vv in v.items()})
            else:
                out[f"{group}.{k}"] = v
    return out


def _fmt(value: int, like: object) -> str:
    return f"{value / 100:.2f}" if isinstance(like, str) else str(value)


def _sums(flats: list[dict[str, object]]) -> dict[str, int]:
    """Per indicator path, the sum (``num``) over the flats that report it: one pass over every value."""
    out: dict[str, int] = {}
    get = out.get
    for fl in flats:
        for path, v in fl.items():
            out[path] = get(path, 0) + (v if type(v) is int else num(v))
    return out


def _sum_rules(payload: dict) -> Iterator[FieldError]:
    """Counties add up to the totals; townships (a possibly partial breakdown) never exceed their county.

    The sums are made in one pass over each level's values (this rule runs on every report: summing per total path
    over every county was ~40 % of a report's validation)."""
    counties = payload.get("counties") or []
    totals = _flat(payload["totals"])
    flats = [_flat(c["indicators"]) for c in counties]  # once per county, for both rules
    if counties:
        sums = _sums(flats)
        for path, value in totals.items():
            if path in sums and sums[path] != num(value):
                s = _fmt(sums[path], value)
                yield violation(
                    "disaster.totals_sum",
                    f"payload.totals.{path}",
                    f"Counties add up to {s}, not the total {value}.",
                    f"各县合计 {s}，与总计 {value} 不符。",
                )
    for i, county in enumerate(counties):
        townships = county.get("townships")
        if not townships:
            continue
        cflat = flats[i]
        tsums = _sums([_flat(t["indicators"]) for t in townships])
        for path in sorted(tsums):
            s = tsums[path]
            if path not in cflat or s > num(cflat[path]):
                have = cflat.get(path, "—")
                yield violation(
                    "disaster.township_sum",
                    f"payload.counties[{i}].indicators.{path}",
                    f"Townships add up to {_fmt(s, have)}, more than the county figure {have}.",
                    f"各乡镇合计 {_fmt(s, have)}，超过县级数据 {have}。",
                )


def _name_list_rule(payload: dict) -> Iterator[FieldError]:
    people = payload["totals"].get("people", {})
    deaths, missing = people.get("deaths", 0), people.get("missing", 0)
    if deaths + missing == 0:
        return
    nl = payload.get("name_list")
    if nl is None:
        yield violation(
            "disaster.name_list",
            "payload.name_list",
            "Deaths or missing persons reported without a name list (pseudonyms).",
            "报告了死亡或失踪人口，但缺少名单（假名）。",
        )
        return
    for key, n, zh in (("deaths", deaths, "死亡"), ("missing", missing, "失踪")):
        if len(nl[key]) != n:
            yield violation(
                "disaster.name_list",
                f"payload.name_list.{key}",
                f"The name list has {len(nl[key])} {key} entries, the totals say {n}.",
                f"名单中{zh}人员 {len(nl[key])} 人，与总计 {n} 人不符。",
            )


def _scope_rule(payload: dict, unit: str) -> Iterator[FieldError]:
    for i, c in enumerate(payload.get("counties") or []):
        if not refdata.is_within(c["county_code"], unit):
            yield violation(
                "disaster.county_scope",
                f"payload.counties[{i}].county_code",
                f"County {c['county_code']} is outside the reporting unit {unit}.",
                f"区县 {c['county_code']} 不在报送单位 {unit} 辖区内。",
            )


def _snapshot_errors(payload: dict) -> Iterator[FieldError]:
    """The indicator and sum rules with their exact errors (what :func:`snapshot_rules` yields when one is broken)."""
    yield from _indicator_rules(payload["totals"], "payload.totals")
    for i, c in enumerate(payload.get("counties") or []):
        yield from _indicator_rules(c["indicators"], f"payload.counties[{i}].indicators")
        for j, t in enumerate(c.get("townships") or []):
            yield from _indicator_rules(t["indicators"], f"payload.counties[{i}].townships[{j}].indicators")
    yield from _sum_rules(payload)


#: flat keys already made: ``_KEYS[group][key]`` = ``"group.key"`` (bounded: a newer minor may bring unknown keys)
_KEYS: dict[str, dict[str, str]] = {}


def _key(group: str, k: str) -> str:
    keys = _KEYS.get(group)
    if keys is None:
        if len(_KEYS) >= 64:
            return f"{group}.{k}"
        keys = _KEYS[group] = {}
    key = keys.get(k)
    if key is None:
        key = f"{group}.{k}"
        if len(keys) < 256:
            keys[k] = key
    return key


def _values(ind: dict) -> dict[str, int]:
    """An indicator tree as ``{"group.key[.sub]": value}`` with decimals as hundredths (``_flat`` + ``num``, once)."""
    out: dict[str, int] = {}
    for group, values in ind.items():
        keys = _KEYS.get(group) or {}
        for k, v in values.items():
            key = keys.get(k) or _key(group, k)
            if type(v) is int:
                out[key] = v
            elif type(v) is str and v[-3:-2] == ".":  # a field-valid decimal (scale 2): num(v) without the call
                out[key] = int(v.replace(".", ""))
            elif isinstance(v, dict):
                for kk, vv in v.items():
                    out[_key(key, kk)] = vv if type(vv) is int else num(vv)
            else:
                out[key] = num(v)
    return out


#: the ``part ≤ whole`` pairs of ``_indicator_rules`` as flat keys
_FLAT_PAIRS = tuple((f"people.{part}", f"people.{whole}") for _, part, whole, _, _ in _PEOPLE_PAIRS) + tuple(
    (f"agriculture.{part}", f"agriculture.{whole}") for _, part, whole, _, _ in _CROP_PAIRS
)
_FLAT_SPLIT = tuple(f"people.{k}" for k in _SPLIT)
_FLAT_LOSS_PARTS = tuple(f"losses.{k}" for k in LOSS_PARTS)


def _indicators_clean(ind: dict, fl: dict[str, int]) -> bool:
    """No ``_indicator_rules`` violation in ``ind`` (``fl`` = ``_values(ind)``)."""
    get = fl.get
    for part, whole in _FLAT_PAIRS:
        a = get(part)
        if a is not None:
            b = get(whole)
            if b is not None and a > b:
                return False
    c, d, t = (get(k) for k in _FLAT_SPLIT)
    if (c is not None or d is not None or t is not None) and (c or 0) + (d or 0) != (t or 0):
        return False
    for damage in ind.get("housing", {}).values():
        if "dwelling_rooms" in damage and "rooms" in damage and num(damage["dwelling_rooms"]) > num(damage["rooms"]):
            return False
    total = get("losses.total")
    if total is not None:
        parts = [v for v in (get(k) for k in _FLAT_LOSS_PARTS) if v is not None]
        if parts:
            s = sum(parts)
            if s > total or (len(parts) == len(LOSS_PARTS) and s != total):
                return False
    return True


def _add(sums: dict[str, int], fl: dict[str, int]) -> None:
    get = sums.get
    for path, v in fl.items():
        sums[path] = get(path, 0) + v


def _snapshot_clean(payload: dict) -> bool:
    """True when :func:`_snapshot_errors` yields nothing: one pass over the indicator trees, each value converted
    once and shared by the indicator and the sum rules (this runs on every report; the errors are rare)."""
    totals = _values(payload["totals"])
    if not _indicators_clean(payload["totals"], totals):
        return False
    counties = payload.get("counties") or []
    sums: dict[str, int] = {}
    for c in counties:
        cfl = _values(c["indicators"])
        if not _indicators_clean(c["indicators"], cfl):
            return False
        _add(sums, cfl)
        townships = c.get("townships")
        if townships:
            tsums: dict[str, int] = {}
            for t in townships:
                tfl = _values(t["indicators"])
                if not _indicators_clean(t["indicators"], tfl):
                    return False
                _add(tsums, tfl)
            cget = cfl.get
            for path, s in tsums.items():
                have = cget(path)
                if have is None or s > have:
                    return False
    if counties:
        for path, value in totals.items():
            s = sums.get(path)
            if s is not None and s != value:
                return False
    return True


def snapshot_rules(payload: dict) -> Iterator[FieldError]:
    try:
        clean = _snapshot_clean(payload)
    except Exception:  # noqa: BLE001 - whatever it is, the exact rules below meet it (and raise it) the same way
        clean = False
    if not clean:
        yield from _snapshot_errors(payload)
    yield from _name_list_rule(payload)


def report_rules(payload: dict) -> Iterator[FieldError]:
    dtype = refdata.DISASTER_TYPES[payload["disaster_type"]]
    sub = payload.get("sub_type")
    if sub is not None and sub not in dtype.sub_types:
        yield violation(
            "disaster.sub_type",
            "payload.sub_type",
            f"Sub-type {sub} does not belong to {dtype.code}.",
            f"灾种子类 {sub} 不属于{dtype.zh}。",
        )
    if dtype.needs_typhoon_number != ("typhoon_number" in payload):
        yield violation(
            "disaster.typhoon_number",
            "payload.typhoon_number",
            "A typhoon report needs the CMA typhoon number; other types must not have one.",
            "台风灾害须填写中国气象局台风编号，其他灾种不得填写。",
        )
    stage, rev = payload["stage"], payload["revision"]
    if (stage == "initial") != (rev == 1):
        yield violation(
            "disaster.stage_revision",
            "payload.revision",
            "An initial report has revision 1; updates and the final report have revision ≥ 2.",
            "初报的修订号为 1；续报和核报的修订号应不小于 2。",
        )
    if payload["started_on"] > payload["data_as_of"][:10]:
        yield violation(
            "disaster.dates",
            "payload.started_on",
            "started_on is later than data_as_of.",
            "灾害发生日期晚于数据截止时间。",
        )
    yield from _scope_rule(payload, payload["reporting_unit_code"])
    yield from snapshot_rules(payload)


def correction_rules(payload: dict) -> Iterator[FieldError]:
    if payload["revision"] <= payload["corrects_revision"]:
        yield violation(
            "disaster.correction_revision",
            "payload.revision",
            "A correction's revision must be greater than the revision it corrects.",
            "更正的修订号必须大于被更正报告的修订号。",
        )
    yield from snapshot_rules(payload)


def cancel_rules(payload: dict) -> Iterator[FieldError]:
    if (payload["reason_code"] == "merged") != ("merged_into_event_id" in payload):
        yield violation(
            "disaster.cancel_merge",
            "payload.merged_into_event_id",
            "merged_into_event_id is required exactly when reason_code is merged.",
            "仅当撤销原因为“合并”时须填写合并后的事件编号。",
        )
