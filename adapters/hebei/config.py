"""Hebei's adapter configuration: XML exports with 12-digit 统计用区划代码, CAP 1.2 alerts, losses in 万元.

Override with ``JJJ_HE_<NAME>``.
"""

from __future__ import annotations

TIERS = {"国家级": "central", "省级": "province", "市级": "prefecture", "县级": "county", "乡级": "township"}

#: CAP <event> texts (national early-warning names) → disaster type; unknown events are refused by name.
CAP_EVENTS = {
    "暴雨": ("flood", "mountain_flood"), "洪水": ("flood", "river_flood"), "山洪": ("flood", "mountain_flood"),
    "城市内涝": ("flood", "urban_waterlogging"), "干旱": ("drought", None), "台风": ("typhoon", None),
    "大风": ("wind_hail", "gale"), "冰雹": ("wind_hail", "hail"), "雷电": ("wind_hail", "lightning"),
    "寒潮": ("low_temperature", None), "低温": ("low_temperature", None), "暴雪": ("snow", None),
    "沙尘暴": ("sandstorm", None), "地震": ("earthquake", None), "地质灾害": ("geological", None),
    "滑坡": ("geological", "landslide"), "泥石流": ("geological", "debris_flow"), "崩塌": ("geological", "rockfall"),
    "森林火险": ("forest_grassland_fire", None), "森林火灾": ("forest_grassland_fire", None),
}

CONFIG = {
    "system_id": "he-adapter",
    "intake_port": 8713,
    "webhook_url": None,           # JJJ_HE_WEBHOOK_URL
    "intake_token": None,          # JJJ_HE_INTAKE_TOKEN
    "drop_dir": None,              # JJJ_HE_DROP_DIR: where the XML exports and CAP files arrive
    #: CAP <geocode><valueName> values that carry GB/T 2260 (or 12-digit statistical) codes
    "cap_geocode_names": ("GB/T 2260", "GB2260", "ADCODE", "行政区划代码"),
    "money_unit": "万元",
}
