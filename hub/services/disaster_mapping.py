"""Wire payloads of the disaster family → ``hub.domain.disasters.DisasterReport`` (pure translation, no I/O).

Indicator names: the contract nests figures (``people.affected``); the rules use flat names
(``affected_population``). Figures without a rule name keep their dotted contract path.

What the contract does not carry, and how it is filled (documented choices):
* ``occurred_at``: the report's ``data_as_of`` — the 初报's data time is the earliest moment the hub can know of;
  the 2 h 初报 limit therefore runs from the 初报's data time.
* ``received_at``: the message's ``sent_at``, not the hub's clock, so the state is a function of the message set
  (a message stuck in a region's outbox still counts as sent when the region sent it).
* a correction or cancel borrows type and start date from the event's other reports.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from hub.domain.calendar import SHANGHAI
from hub.domain.disasters import DisasterReport, EventKey, ReportKind, Stage

RENAME = {
    "people.affected": "affected_population",
    "people.deaths": "deaths",
    "people.missing": "missing",
    "people.injured": "injured",
    "people.injured_severe": "seriously_injured",
    "people.evacuated": "emergency_evacuated",
    "people.relocated_cumulative": "relocated_cumulative",
    "people.relocated_current": "relocated_realtime",
    "people.relocated_centralised": "relocated_centralised",
    "people.relocated_dispersed": "relocated_dispersed",
    "people.shelter_sites": "shelter_sites",
    "people.need_emergency_aid_cumulative": "emergency_assistance_needed_cumulative",
    "people.need_emergency_aid_current": "emergency_assistance_needed_realtime",
    "people.need_transitional_aid": "transitional_assistance_needed",
    "people.drought_need_aid": "drought_assistance_needed",
    "housing.collapsed.rooms": "collapsed_houses",
    "housing.collapsed.dwelling_rooms": "collapsed_dwellings",
    "housing.severely_damaged.rooms": "severely_damaged_houses",
    "housing.generally_damaged.rooms": "generally_damaged_houses",
    "agriculture.crops_affected_ha": "crop_affected_ha",
    "agriculture.crops_damaged_ha": "crop_damaged_ha",
    "agriculture.crops_lost_ha": "crop_failed_ha",
    "agriculture.livestock_deaths": "dead_livestock",
    "losses.total": "direct_economic_loss_wan_yuan",
}
KIND = {"disaster.report": ReportKind.REPORT, "disaster.correction": ReportKind.CORRECTION,
        "disaster.cancel": ReportKind.CANCEL}


def flat_figures(indicators: dict) -> dict[str, int | Decimal]:
    """Nested contract indicators → flat rule names; decimal strings become ``Decimal`` (never float)."""
    out: dict[str, int | Decimal] = {}
    _walk("", indicators or {}, out)
    return out


#: parent path → key → (dotted path, flat rule name): every revision names the same few dozen indicators, so the
#: names are built once (and shared by every report) instead of once per figure per revision. Bounded, as keys
#: come from messages: at most ``_NAMES_MAX`` parents of at most ``_NAMES_MAX`` keys.
_NAMES: dict[str, dict[str, tuple[str, str]]] = {}
_NAMES_MAX = 256


def _walk(prefix: str, node: dict, out: dict) -> None:
    names = _NAMES.get(prefix)
    if names is None:
        names = {} if len(_NAMES) >= _NAMES_MAX else _NAMES.setdefault(prefix, {})
    for key, value in node.items():
        named = names.get(key)
        if named is None:
            path = f"{prefix}.{key}" if prefix else key
            named = (path, RENAME.get(path, path))
            if len(names) < _NAMES_MAX:
                names[key] = named
        cls = value.__class__
        if cls is int:  # int(value) is value
            out[named[1]] = value
        elif cls is dict or isinstance(value, dict):
            _walk(named[0], value, out)
        else:
            out[named[1]] = Decimal(value) if isinstance(value, str) else int(value)


def figures_json(figures) -> dict:  # noqa: ANN001
    """Figures for a JSON column: ints stay ints, decimals become strings."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items()}


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_report(row: dict, defaults: dict) -> DisasterReport:
    """One stored ``disaster_reports`` row → a domain report. ``defaults``: disaster_type/started_on of the event."""
    p, kind = row["payload"], KIND[row["kind"]]
    sent = _dt(row["sent_at"])
    if kind is ReportKind.CANCEL:
        return DisasterReport(row["message_id"], EventKey(row["region"], row["event_id"]), Stage.INITIAL, 0, sent,
                              sent, defaults.get("disaster_type", ""), defaults.get("started_on", sent.date()), sent,
                              kind=kind)
    as_of = _dt(p["data_as_of"])
    started = date.fromisoformat(p["started_on"]) if "started_on" in p else defaults.get("started_on", as_of.date())
    counties = {c["county_code"]: flat_figures(c["indicators"]) for c in p.get("counties") or []}
    reasons = "; ".join(d["reason"] for d in p.get("decreases") or [])
    if kind is ReportKind.CORRECTION:
        reasons = reasons or p.get("reason", "")
    typhoon = p.get("typhoon_number")
    return DisasterReport(
        message_id=row["message_id"], key=EventKey(row["region"], row["event_id"]),
        stage=Stage(p["stage"]) if "stage" in p else Stage.FINAL, revision=int(p["revision"]), data_as_of=as_of,
        received_at=sent, disaster_type=p.get("disaster_type") or defaults.get("disaster_type", ""),
        started_on=started, occurred_at=as_of, figures=flat_figures(p["totals"]), county_figures=counties,
        kind=kind, decrease_reason=reasons or None,
        shared_event_ref=f"typhoon:{typhoon}" if typhoon else None,
    )


def explicit_ref(payload: dict) -> str | None:
    """``"tj:TJ-2026-01"`` when the report names the same event as another region knows it."""
    ref = payload.get("shared_event_ref")
    return f"{ref['region']}:{ref['event_id']}" if ref else None


def event_defaults(rows: list[dict]) -> dict:
    """Type and start date of an event from its report(s): those of the latest revision (the greatest message id
    among reports of that revision, so that the choice does not depend on the order the rows are read in)."""
    best = None
    for r in rows:
        if r["kind"] == "disaster.report" and (
                best is None or (r["payload"]["revision"], r["message_id"]) > (best["payload"]["revision"],
                                                                               best["message_id"])):
            best = r
    if best is None:
        return {}
    return {"disaster_type": best["payload"]["disaster_type"],
            "started_on": date.fromisoformat(best["payload"]["started_on"])}


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)
