"""Write a Tianjin stock-ledger export of n rows (GBK, as the district systems export it), streaming."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HEADER = ["流水号", "仓库编号", "仓库名称", "仓库级别", "所在区", "发生时间", "业务类型", "物资名称", "规格型号", "计量单位",
          "批次号", "数量", "结存数量", "对方仓库编号", "调拨单号", "备注"]
ITEMS = [("棉被", "床"), ("单帐篷", "顶"), ("折叠床", "张"), ("应急灯", "盏"), ("矿泉水", "件")]
DISTRICTS = ["北辰区", "武清区", "滨海新区", "静海区", "蓟州区"]


def write(path: Path, n: int, bad_every: int = 0) -> Path:
    with open(path, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(1, n + 1):
            item, unit = ITEMS[i % 5]
            district = DISTRICTS[i % 5]
            qty = "-3" if bad_every and i % bad_every == 0 else str(1 + i % 50)  # a negative inbound: rejected
            w.writerow([f"TJ-TZ-202607-{i:06d}", f"TJ-CK-{i % 40:02d}", f"{district}救灾物资储备库", "区级", district,
                        f"2026-07-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00", "入库", item, "", unit,
                        f"2026-{1 + i % 12:02d}", qty, str(1000 + i % 5000), "", "", ""])
    return path


if __name__ == "__main__":
    write(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
