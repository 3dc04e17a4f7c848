"""The flood: seven county-level events in the three regions, reported 初报 → 续报 → 核报, late and out of order.

Magnitudes follow the scale of the July–August 2023 Haihe flood (domain.md §1): Hebei's 涿州 and 涞水 with
hundreds of thousands affected and tens of thousands relocated, Beijing's 房山 and 门头沟 in the 100k–200k
range, Tianjin's 蓟州 and 武清 (flood-detention evacuations) smaller. All figures are invented for the demo.
``FINAL`` holds the 核报 figures; earlier reports are fractions of them (the expected end state reads ``FINAL``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jjj.demo.people import Person, PersonFactory
from jjj.demo.timeline import Step, at, iso_date, ts


@dataclass(frozen=True)
class Final:
    """核报 figures of one event (人, 间, 公顷, 万元)."""

    affected: int
    relocated: int
    centralised: int
    deaths: int
    missing: int
    injured: int
    collapsed_rooms: int
    severe_rooms: int
    general_rooms: int
    crops_affected_ha: int
    losses_wan: int


@dataclass(frozen=True)
class Event:
    region: str
    event_id: str
    county: str
    sub_type: str
    started_day: int
    final: Final
    #: (stage, revision, data_as_of (day, hour), arrival (day, hour), fraction of the final figures)
    reports: tuple[tuple[str, int, tuple[float, float], tuple[float, float], float], ...]
    narrative: str


EVENTS: tuple[Event, ...] = (
    Event("bj", "BJ-2026-0729-FS01", "110111", "mountain_flood", 0,
          Final(186_420, 58_730, 21_450, 3, 1, 46, 3_120, 8_460, 21_730, 5_380, 468_200),
          (("initial", 1, (1, 6), (1, 7.5), 0.35), ("update", 2, (2, 0), (2, 9.2), 0.72),
           ("update", 3, (3, 0), (3, 9.1), 0.94), ("final", 4, (9, 0), (10, 15), 1.0)),
          "7月29日夜起房山区持续特大暴雨，拒马河、大石河水位暴涨，山区多处道路、电力、通信中断。"),
    Event("bj", "BJ-2026-0729-MTG01", "110109", "mountain_flood", 0,
          Final(97_310, 31_260, 12_840, 2, 1, 23, 1_640, 4_270, 10_950, 1_260, 214_600),
          (("initial", 1, (1, 8), (1, 9.4), 0.4), ("update", 2, (2, 0), (2, 9.6), 0.8),
           # the 3rd update (data as of day 3) is delayed by a broken link and arrives after the 核报:
           ("update", 3, (3, 0), (11, 10), 0.9), ("final", 4, (9, 0), (10, 16), 1.0)),
          "门头沟区永定河、清水河沿线山洪，部分村庄被困，电力通信一度中断。"),
    Event("tj", "TJ-2026-0730-JZ01", "120119", "mountain_flood", 1,
          Final(64_580, 18_930, 7_120, 0, 0, 5, 420, 1_380, 4_960, 9_740, 86_300),
          (("initial", 1, (1, 12), (1, 13.3), 0.5), ("update", 2, (2, 12), (2, 14), 0.85),
           ("final", 3, (10, 0), (12, 11), 1.0)),
          "蓟州区于桥水库上游山区强降雨，泃河、州河沿线村庄受淹。"),
    Event("tj", "TJ-2026-0731-WQ01", "120114", "river_flood", 2,
          Final(41_270, 12_460, 5_380, 0, 0, 2, 160, 640, 2_870, 7_260, 52_100),
          (("initial", 1, (2, 18), (2, 19.1), 0.6), ("update", 2, (4, 0), (4, 10), 0.9),
           ("final", 3, (11, 0), (13, 10), 1.0)),
          "东淀、大黄堡洼蓄滞洪区启用，武清区组织沿线群众紧急转移。"),
    Event("he", "HE-2026-0729-ZZ01", "130681", "river_flood", 0,
          Final(548_670, 148_250, 61_380, 2, 1, 31, 6_840, 19_420, 47_360, 15_820, 1_126_500),
          # 初报 arrives as a CAP warning; 续报 rev 3 overtakes rev 2 on the way in.
          (("initial", 1, (1, 10), (1, 11), 0.3), ("update", 2, (2, 0), (3, 12), 0.6),
           ("update", 3, (3, 0), (3, 11), 0.85), ("final", 4, (12, 0), (14, 9), 1.0)),
          "拒马河、北拒马河、小清河洪水漫溢，涿州市城区及多个乡镇严重受淹。"),
    Event("he", "HE-2026-0729-LS01", "130623", "mountain_flood", 0,
          Final(213_540, 52_380, 19_760, 4, 2, 38, 2_960, 7_810, 18_240, 6_430, 398_700),
          (("initial", 1, (1, 9), (1, 10.2), 0.45), ("update", 2, (3, 0), (3, 10.4), 0.97),
           ("final", 3, (12, 0), (14, 10), 1.0)),
          "涞水县西部山区特大暴雨，多个乡镇山洪、泥石流，道路桥梁损毁严重。"),
    Event("he", "HE-2026-0730-GBD01", "130684", "river_flood", 1,
          Final(96_420, 27_610, 10_930, 0, 0, 7, 780, 2_640, 8_510, 12_380, 173_400),
          (("initial", 1, (2, 8), (2, 9), 0.5), ("final", 2, (13, 0), (15, 9), 1.0)),
          "白沟河水位上涨，高碑店市东部乡镇低洼村庄受淹。"),
)

#: 涞水's 续报 counted some people twice (affected 2 % too high); the 核报 corrects it with a stated reason.
OVERCOUNTED = ("HE-2026-0729-LS01", 2, 1.02)
DECREASE_REASON = "核报核查：剔除重复统计的受灾人口（部分人员在两个乡镇均被统计）。"


def _split(total: int, parts: tuple[float, ...]) -> list[int]:
    out = [int(total * p) for p in parts[:-1]]
    return [*out, total - sum(out)]


def indicators(f: Final, frac: float) -> dict:
    """Figures at ``frac`` of the 核报 (1.0 gives exactly ``f``); every 其中 ≤ parent, 集中 + 分散 = 累计."""
    s = (lambda v: v) if frac == 1.0 else (lambda v: int(v * frac))
    relocated, centralised = s(f.relocated), s(f.centralised)
    crops = s(f.crops_affected_ha)
    damaged, lost = crops * 62 // 100, crops * 23 // 100
    losses = s(f.losses_wan)
    parts = _split(losses, (0.31, 0.18, 0.12, 0.29, 0.07, 0.03))
    wan = [f"{v}.00" for v in parts]
    return {
        "people": {"affected": s(f.affected), "deaths": f.deaths if frac >= 0.7 else 0,
                   "missing": f.missing if frac >= 0.7 else 0, "injured": s(f.injured),
                   "injured_severe": s(f.injured) // 4, "evacuated": s(f.relocated) * 13 // 10,
                   "relocated_cumulative": relocated, "relocated_current": relocated * (15 if frac == 1.0 else 60) // 100,
                   "relocated_centralised": centralised, "relocated_dispersed": relocated - centralised,
                   "shelter_sites": max(1, centralised // 180),
                   "need_emergency_aid_cumulative": relocated * 7 // 10},
        "housing": {"collapsed": {"rooms": s(f.collapsed_rooms), "dwelling_rooms": s(f.collapsed_rooms) * 9 // 10,
                                  "dwelling_households": s(f.collapsed_rooms) * 9 // 30},
                    "severely_damaged": {"rooms": s(f.severe_rooms), "dwelling_rooms": s(f.severe_rooms) * 8 // 10},
                    "generally_damaged": {"rooms": s(f.general_rooms)}},
        "agriculture": {"crops_affected_ha": f"{crops}.00", "crops_damaged_ha": f"{damaged}.00",
                        "crops_lost_ha": f"{lost}.00", "livestock_deaths": s(f.crops_affected_ha) // 3},
        "losses": {"total": f"{losses}.00", **dict(zip(("housing_household", "agriculture", "industry_commerce",
                                                         "infrastructure", "public_services", "other"), wan,
                                                        strict=True))},
    }


def name_list(e: Event, persons: PersonFactory) -> tuple[list[Person], list[Person]]:
    """Synthetic deaths and missing persons of the event (registered in the county itself)."""
    from datetime import date

    mk = lambda: persons.person(e.county, date(1940, 1, 1), date(2005, 12, 31))  # noqa: E731
    return [mk() for _ in range(e.final.deaths)], [mk() for _ in range(e.final.missing)]


def report_payload(e: Event, stage: str, rev: int, as_of: tuple[float, float], frac: float,
                   dead: list[Person], missing: list[Person], ref: Callable[[str], dict]) -> dict:
    ind = indicators(e.final, frac)
    if (e.event_id, rev) == OVERCOUNTED[:2]:
        ind["people"]["affected"] = int(e.final.affected * OVERCOUNTED[2])
    p = {"event_id": e.event_id, "disaster_type": "flood", "sub_type": e.sub_type, "started_on": iso_date(e.started_day),
         "stage": stage, "revision": rev, "reporting_unit_code": e.county, "data_as_of": ts(*as_of), "totals": ind,
         "counties": [{"county_code": e.county, "indicators": ind}], "narrative": e.narrative}
    people = ind["people"]
    if people["deaths"] + people["missing"]:
        p["name_list"] = {"held_by_unit_code": e.county, "deaths": [ref(x.id_number) for x in dead],
                          "missing": [ref(x.id_number) for x in missing]}
    if e.event_id == "HE-2026-0729-LS01" and stage == "final":
        p["decreases"] = [{"indicator": "people.affected", "reason": DECREASE_REASON}]
    return p


def steps(persons: PersonFactory, ref: Callable[[str], dict]) -> list[Step]:
    out = []
    for e in EVENTS:
        dead, missing = name_list(e, persons)
        for stage, rev, as_of, arrival, frac in e.reports:
            zh = {"initial": "初报", "update": "续报", "final": "核报"}[stage]
            native = {"cap": True} if (e.event_id == "HE-2026-0729-ZZ01" and stage == "initial") else {}
            out.append(Step(f"disaster/{e.event_id}/r{rev}", at(*arrival), e.region, "disaster.report",
                            report_payload(e, stage, rev, as_of, frac, dead, missing, ref),
                            f"{e.event_id} {zh} 第{rev}次", native=native))
    return out
