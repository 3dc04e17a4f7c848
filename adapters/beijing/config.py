"""Beijing's adapter configuration: the 民政/应急 platform's own district numbering, units, ports and URLs.

Every value here can be overridden by ``JJJ_BJ_<NAME>`` (see ``RegionSpec.setting``).
"""

from __future__ import annotations

#: The platform numbers districts 京-01 … 京-16 (京-00 = the municipality); mapped to GB/T 2260.
DISTRICTS = {
    "京-00": "110000", "京-01": "110101", "京-02": "110102", "京-03": "110105", "京-04": "110106",
    "京-05": "110107", "京-06": "110108", "京-07": "110109", "京-08": "110111", "京-09": "110112",
    "京-10": "110113", "京-11": "110114", "京-12": "110115", "京-13": "110116", "京-14": "110117",
    "京-15": "110118", "京-16": "110119",
}

#: Depot tiers as the platform names them (Beijing has no prefecture tier: 市级 is the provincial tier).
TIERS = {"国家级": "central", "中央级": "central", "市级": "province", "区级": "county", "街乡级": "township"}

CONFIG = {
    "system_id": "bj-adapter",
    "intake_port": 8711,
    "webhook_url": None,           # JJJ_BJ_WEBHOOK_URL: where hub messages are pushed; unset = pull API only
    "intake_token": None,          # JJJ_BJ_INTAKE_TOKEN: shared secret the platform sends in X-JJJ-Token
    "poll_url": None,              # JJJ_BJ_POLL_URL: the platform's export API, when it cannot push
    "money_unit": "元",            # disaster losses are converted to 万元, subsidies to 分
    "area_unit": "公顷",
}
