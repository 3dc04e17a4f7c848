"""Tianjin's adapter configuration: scheduled exports (CSV GBK / UTF-8 BOM, or .xlsx) dropped in a folder.

Districts are exported by name (武清区), areas in 亩, money in 元.  Override with ``JJJ_TJ_<NAME>``.
"""

from __future__ import annotations

TIERS = {"国家级": "central", "市级": "province", "区级": "county", "街镇级": "township"}

CONFIG = {
    "system_id": "tj-adapter",
    "intake_port": 8712,
    "webhook_url": None,           # JJJ_TJ_WEBHOOK_URL
    "intake_token": None,          # JJJ_TJ_INTAKE_TOKEN
    "drop_dir": None,              # JJJ_TJ_DROP_DIR: the export folder `jjj adapter tianjin run` watches
    "csv_encoding": None,          # None = detect (UTF-8 with/without BOM, else GBK/GB18030)
    "area_unit": "亩",             # → 公顷 (÷ 15)
    "money_unit": "元",            # → 万元 (losses) and 分 (subsidies)
    "claim_max_lines": 2000,       # lines per eldercare.claim message (a message stays far below 1 MB)
}
