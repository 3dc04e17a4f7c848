"""Valid and invalid example messages per kind, with the expected outcome of each invalid one.

``invalid-*`` examples break a field rule that JSON Schema can express: every JSON Schema validator
must refuse them, and ours must answer 400 (or 200/310) at the listed paths.  ``rule-*`` examples
are field-valid but break a cross-field rule (420) that JSON Schema cannot express.
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.registry import KINDS
from schemas.tools.samples import sample_message, sample_payload

Mutation = Callable[[dict], None]


def _set(path: str, value) -> Mutation:
    def mutate(msg: dict) -> None:
        *head, last = path.split(".")
        obj = msg
        for part in head:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        obj[int(last) if last.isdigit() else last] = value
    return mutate


def _del(path: str) -> Mutation:
    def mutate(msg: dict) -> None:
        *head, last = path.split(".")
        obj = msg
        for part in head:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        del obj[last]
    return mutate


def _first_required(kind: str) -> str:
    return next(n for n, fl in KINDS[kind].payload_schema._declared_fields.items() if fl.required)


# (kind, name, mutation, code, paths, rule)
SPECIAL: list[tuple[str, str, Mutation, int, list[str], str | None]] = [
    ("disaster.report", "float-count", _set("payload.totals.people.deaths", 1.5), 400, ["payload.totals.people.deaths"], None),
    ("disaster.report", "hectares-as-number", _set("payload.totals.agriculture.crops_lost_ha", 20), 400,
     ["payload.totals.agriculture.crops_lost_ha"], None),
    ("disaster.report", "negative-count", _set("payload.totals.people.missing", -1), 400, ["payload.totals.people.missing"], None),
    ("disaster.report", "unknown-county", _set("payload.counties.0.county_code", "110199"), 400,
     ["payload.counties[0].county_code"], None),
    ("disaster.report", "unknown-field", _set("payload.totals.people.casualties", 3), 400,
     ["payload.totals.people.casualties"], None),
    ("disaster.report", "bad-stage", _set("payload.stage", "核报"), 400, ["payload.stage"], None),
    ("disaster.report", "timestamp-without-offset", _set("payload.data_as_of", "2024-07-31T08:00:00"), 400,
     ["payload.data_as_of"], None),
    ("disaster.report", "bad-message-id", _set("message_id", "not-a-ulid"), 200, ["message_id"], None),
    ("disaster.report", "bad-status", _set("status", "draft"), 200, ["status"], None),
    ("eldercare.claim", "plain-id-number", _set("payload.lines.0.elder_ref", "11010519491231002X"), 400,
     ["payload.lines[0].elder_ref"], None),
    ("eldercare.claim", "money-in-yuan", _set("payload.total_fen", 1100.0 + 0.5), 400, ["payload.total_fen"], None),
    ("eldercare.claim", "bad-period", _set("payload.period", "2024-13"), 400, ["payload.period"], None),
    ("verification.request", "plain-name", _set("payload.subjects.0.masked_name", "赵春梅"), 400,
     ["payload.subjects[0].masked_name"], None),
    ("relief.stock_snapshot", "unknown-item", _set("payload.lines.0.item_code", "tent"), 400,
     ["payload.lines[0].item_code"], None),
    ("hub.receipt", "sent-by-region", _set("sender", {"region": "bj", "unit_code": "110000", "system_id": "bj-adapter"}),
     310, ["sender.region"], None),
]

RULES: list[tuple[str, str, Mutation, list[str], str]] = [
    ("disaster.report", "relocation-split", _set("payload.totals.people.relocated_dispersed", 40),
     ["payload.totals.people.relocated_cumulative", "payload.totals.people.relocated_dispersed"], "disaster.relocation_split"),
    ("disaster.report", "severe-above-injured", _set("payload.counties.0.indicators.people.injured_severe", 9),
     ["payload.counties[0].indicators.people.injured_severe", "payload.totals.people.injured_severe"], "disaster.subset"),
    ("disaster.report", "current-above-cumulative", _set("payload.totals.people.relocated_current", 500),
     ["payload.totals.people.relocated_current"], "disaster.current_le_cumulative"),
    ("disaster.report", "lost-above-damaged", _set("payload.totals.agriculture.crops_lost_ha", "130.00"),
     ["payload.totals.agriculture.crops_lost_ha"], "disaster.crop_order"),
    ("relief.receipt", "shipped-unbalanced", _set("payload.lines.0.received", 190), ["payload.lines[0].shipped"],
     "relief.shipped_balance"),
    ("relief.stock_movement", "wrong-unit", _set("payload.unit", "件"), ["payload.unit"], "relief.item_unit"),
    ("eldercare.claim", "total-mismatch", _set("payload.total_fen", 100000), ["payload.total_fen"], "eldercare.claim_total"),
    ("eldercare.claim", "32-days", _set("payload.period", "2024-06"),
     ["payload.lines[0].days_in_care", "payload.lines[1].days_in_care"], "eldercare.days_in_month"),
    ("verification.response", "deposit-balance", _set("payload.results.0.items.2.summary", {"annual_amount_fen": 1234500}),
     ["payload.results[0].items[2].summary"], "verification.deposit_flag_only"),
    ("referral.referral", "wrong-household-region", _set("payload.to_region", "bj"), ["payload.to_region"],
     "referral.household_region"),
]


def examples() -> dict[str, tuple[dict, dict | None]]:
    """``{"<kind>/<file>.json": (message, expectation or None for valid)}``."""
    out: dict[str, tuple[dict, dict | None]] = {}
    for kind in KINDS:
        out[f"{kind}/valid-sample.json"] = (sample_message(kind), None)
        msg = sample_message(kind)
        field = _first_required(kind)
        del msg["payload"][field]
        out[f"{kind}/invalid-missing-{field.replace('_', '-')}.json"] = (
            msg, {"code": 400, "paths": [f"payload.{field}"], "rule": None})
    initial = sample_message("disaster.report", 200)
    initial["payload"].update(stage="initial", revision=1)
    out["disaster.report/valid-initial.json"] = (initial, None)
    out["disaster.report/valid-typhoon-minimal.json"] = (_typhoon(), None)
    for kind, name, mutate, code, paths, rule in SPECIAL:
        msg = sample_message(kind)
        mutate(msg)
        out[f"{kind}/invalid-{name}.json"] = (msg, {"code": code, "paths": paths, "rule": rule})
    for kind, name, mutate, paths, rule in RULES:
        msg = sample_message(kind)
        mutate(msg)
        out[f"{kind}/rule-{name}.json"] = (msg, {"code": 420, "paths": paths, "rule": rule})
    return dict(sorted(out.items()))


def _typhoon() -> dict:
    msg = sample_message("disaster.report", 300)
    p = sample_payload("disaster.report")
    msg["payload"] = {"event_id": "TJ-2024-TY-05", "disaster_type": "typhoon", "typhoon_number": "2405",
                      "started_on": "2024-07-29", "stage": "initial", "revision": 1,
                      "data_as_of": "2024-07-29T12:00:00+08:00", "reporting_unit_code": "120116",
                      "totals": {"people": {"affected": 30, "evacuated": 30}}, "narrative": p["narrative"][:0] or "台风过境。"}
    msg["sender"] = {"region": "tj", "unit_code": "120000", "system_id": "tj-adapter"}
    return msg
