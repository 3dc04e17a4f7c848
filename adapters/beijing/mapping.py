"""Beijing's platform pushes JSON with Chinese field names; money in 元; its own district codes (京-xx)."""

from __future__ import annotations

from adapters.core.runtime import Canonical

STAGES = {"初报": "initial", "续报": "update", "核报": "final"}
DISASTER_TYPES = {"洪涝": "flood", "干旱": "drought", "台风": "typhoon", "风雹": "wind_hail", "低温冷冻": "cold",
                  "雪灾": "snow", "地震": "earthquake", "地质灾害": "geological", "森林草原火灾": "forest_fire"}


def map_disaster_report(doc: dict) -> Canonical:
    """One 灾情报告 document → a canonical disaster.report."""
    people = {k: v for k, v in {
        "affected": doc.get("受灾人口"),
        "deaths": doc.get("因灾死亡"),
        "missing": doc.get("因灾失踪"),
    }.items() if v is not None}
    payload = {
        "event_id": doc["灾情编号"],
        "disaster_type": DISASTER_TYPES[doc["灾害类型"]],
        "started_on": doc["发生日期"],
        "stage": STAGES[doc["报告阶段"]],
        "revision": int(doc["报告次数"]),
        "data_as_of": doc["统计截止时间"],
        "reporting_unit_code": doc["填报单位代码"],
        "totals": {"people": people},
    }
    if doc.get("灾情描述"):
        payload["narrative"] = doc["灾情描述"]
    return Canonical("disaster.report", payload)
