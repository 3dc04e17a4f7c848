"""Places by name, as Tianjin's exports write them.

``DISTRICT``: a Tianjin district (武清区 → 120114).  ``TJ_UNIT``: the same, or 天津市 itself (120000) for
city-level units (the 市民政局 publishing a rate table, the city requesting support).  ``PLACE``: any division of
the three regions, for places in Beijing or Hebei (a receiving county, a facility, a household registration):
a county name alone when it is unique in the three regions (涿州市), else qualified by its city or province
(石家庄市桥西区, 河北省石家庄市桥西区); 6-digit codes are accepted as they are.
"""

from __future__ import annotations

from collections import Counter

from adapters.core import catalogues as cat
from adapters.core.mapping import CodeMap
from schemas import refdata

DISTRICT = cat.division_by_name("12")
TJ_UNIT = CodeMap("Tianjin unit", "天津市区划", {**DISTRICT.table, "天津市": "120000", "天津": "120000"})


def _place_names() -> dict[str, str]:
    divs = [d for c in refdata.codes() if (d := refdata.division(c))]
    counties = Counter(d.name for d in divs if d.level == "county")
    out: dict[str, str] = {}
    for d in divs:
        out[d.code] = d.code
        if d.name == "市辖区":
            continue  # a statistical level without a name of its own
        chain = [d]
        while chain[-1].parent and (p := refdata.division(chain[-1].parent)):
            chain.append(p)
        names = [x.name for x in reversed(chain) if x.name != "市辖区"]  # 北京市朝阳区, not 北京市市辖区朝阳区
        out["".join(names)] = d.code
        if len(names) == 3:
            out[names[1] + names[2]] = d.code               # 保定市涿州市
        if d.level != "county" or counties[d.name] == 1:    # not 桥西区 alone (石家庄市 and 邢台市 both have one)
            out[d.name] = d.code
            if d.level == "county":
                out[names[0] + d.name] = d.code             # 河北省涿州市
    return out


PLACE = CodeMap("place", "地名", _place_names())
