"""Relief materials: stock ledgers of eight depots on four tiers, Hebei's support request, Beijing's and Tianjin's
commitments, dispatches (one by phone order), outbound ledger lines and Hebei's receipts (one with a discrepancy).

Quantities are in each item's catalogue unit (帐篷 顶, 棉被 床, 折叠床 张, 应急灯 盏). ``REQUEST`` and
``COMMITMENTS`` are the tables the expected shortfalls are computed from.
"""

from __future__ import annotations

from jjj.demo.timeline import Step, at, ts

DEPOTS = {
    "BJ-D-SJ01": ("bj", "北京市救灾物资储备库（丰台）", "province", "110106"),
    "BJ-D-FS01": ("bj", "房山区救灾物资储备库", "county", "110111"),
    "TJ-D-ZY01": ("tj", "中央救灾物资天津储备库", "central", "120110"),
    "TJ-D-SJ01": ("tj", "天津市救灾物资储备库", "province", "120110"),
    "TJ-D-WQ01": ("tj", "武清区救灾物资储备库", "county", "120114"),
    "HE-D-SJ01": ("he", "河北省救灾物资储备库", "province", "130104"),
    "HE-D-BD01": ("he", "保定市救灾物资储备库", "prefecture", "130602"),
    "HE-D-ZZ01": ("he", "涿州市救灾物资储备库", "county", "130681"),
}
UNITS = {"tent_single": "顶", "tent_large": "顶", "quilt": "床", "folding_bed": "张", "emergency_lamp": "盏",
         "cotton_coat": "件", "generator": "台"}
#: depot → item → on hand at the day-1 stock count (reserved, damaged are a small share)
STOCK = {
    "BJ-D-SJ01": {"tent_single": 4_200, "tent_large": 320, "quilt": 26_000, "folding_bed": 9_500, "emergency_lamp": 3_800},
    "BJ-D-FS01": {"tent_single": 600, "quilt": 4_200, "folding_bed": 1_500, "emergency_lamp": 400},
    "TJ-D-ZY01": {"tent_single": 5_000, "tent_large": 400, "quilt": 12_000, "cotton_coat": 8_000},
    "TJ-D-SJ01": {"tent_single": 2_100, "quilt": 15_000, "folding_bed": 6_200, "generator": 60},
    "TJ-D-WQ01": {"tent_single": 300, "quilt": 2_600, "folding_bed": 900},
    "HE-D-SJ01": {"tent_single": 3_600, "quilt": 21_000, "folding_bed": 5_400, "emergency_lamp": 1_200},
    "HE-D-BD01": {"tent_single": 1_100, "quilt": 6_800, "folding_bed": 1_900},
    "HE-D-ZZ01": {"tent_single": 180, "quilt": 1_500, "folding_bed": 400},
}
REQUEST_ID = "HE-SR-20260731-01"
#: line_no → (item, quantity) asked by 保定市 for 涿州
REQUEST = {1: ("tent_single", 3_000), 2: ("quilt", 20_000), 3: ("folding_bed", 8_000), 4: ("emergency_lamp", 2_000)}
#: region → (commitment id, dispatch id, [(line_no, quantity, depot)])
COMMITMENTS = {
    "bj": ("BJ-CM-20260731-01", "BJ-DS-20260731-01",
           [(1, 1_500, "BJ-D-SJ01"), (2, 10_000, "BJ-D-SJ01"), (3, 3_000, "BJ-D-SJ01"), (4, 1_000, "BJ-D-SJ01")]),
    "tj": ("TJ-CM-20260731-01", "TJ-DS-20260801-01",
           [(1, 1_000, "TJ-D-ZY01"), (2, 6_000, "TJ-D-SJ01"), (3, 2_000, "TJ-D-SJ01")]),
}
#: (dispatch id, line_no) → (received, discrepancy, reason): 60 quilts soaked by rain on the way from Tianjin
DISCREPANCIES = {("TJ-DS-20260801-01", 2): (5_940, 60, "运输途中遭遇降雨，60 床棉被受潮霉变，拒收")}
PLACE = {"unit_code": "130681", "address": "涿州市体育中心临时安置点物资接收站"}
HE_CONTACT = {"role": "保定市应急管理局物资保障科", "masked_name": "刘*华", "phone": "0312-5930000"}
CONTACTS = {"bj": {"role": "北京市应急管理局救灾物资处", "masked_name": "王*", "phone": "010-83910000"},
            "tj": {"role": "天津市应急管理局救灾和物资保障处", "masked_name": "赵*峰", "phone": "022-58830000"}}


def _depot(depot_id: str) -> dict:
    _, name, tier, code = DEPOTS[depot_id]
    return {"depot_id": depot_id, "name": name, "tier": tier, "unit_code": code}


def _line(no: int, qty: int, depot: str | None = None) -> dict:
    item = REQUEST[no][0]
    out = {"line_no": no, "item_code": item, "unit": UNITS[item], "quantity": qty}
    return {**out, "from_depot_id": depot} if depot else out


def snapshots() -> list[Step]:
    out = []
    for i, (depot_id, lines) in enumerate(STOCK.items()):
        region = DEPOTS[depot_id][0]
        payload = {"depot": _depot(depot_id), "as_of": ts(1, 8), "lines": [
            {"item_code": item, "unit": UNITS[item], "storage_mode": "physical", "on_hand": qty,
             "reserved": qty // 20, "damaged": qty // 200, "batch": "2025-B1"} for item, qty in lines.items()]}
        out.append(Step(f"relief/snapshot/{depot_id}", at(1, 9 + i * 0.2), region, "relief.stock_snapshot", payload,
                        f"{DEPOTS[depot_id][1]} 库存快照"))
    return out


def support_flow() -> list[Step]:
    out = [Step(f"relief/request/{REQUEST_ID}", at(2, 14), "he", "relief.support_request", {
        "request_id": REQUEST_ID, "event_ref": {"region": "he", "event_id": "HE-2026-0729-ZZ01"},
        "requesting_unit_code": "130600", "to_regions": ["bj", "tj"], "needed_by": ts(3, 18),
        "delivery_place": PLACE, "contact": HE_CONTACT, "lines": [_line(no, q) for no, (_, q) in REQUEST.items()],
        "note": "涿州市紧急转移安置人员超过十万，帐篷、棉被、折叠床缺口较大，请求京津支援。"}, "河北 请求京津支援物资")]
    times = {"bj": (2, 17), "tj": (2, 19.5)}
    for region, (cm_id, ds_id, lines) in COMMITMENTS.items():
        day, hour = times[region]
        out.append(Step(f"relief/commitment/{cm_id}", at(day, hour), region, "relief.commitment", {
            "request_id": REQUEST_ID, "commitment_id": cm_id, "committing_region": region,
            "expected_dispatch_at": ts(day, hour + 4), "lines": [_line(n, q, d) for n, q, d in lines],
            "contact": CONTACTS[region]}, f"{region} 承诺支援", refers_to=(f"relief/request/{REQUEST_ID}",)))
        phone = region == "tj"
        dispatch = {"dispatch_id": ds_id, "request_id": REQUEST_ID, "commitment_id": cm_id,
                    "ordered_via": "phone" if phone else "written", "receiving_unit_code": "130681",
                    "receiving_place": PLACE, "sender_contact": CONTACTS[region], "receiver_contact": HE_CONTACT,
                    "departed_at": ts(day, hour + 5), "lines": [_line(n, q, d) for n, q, d in lines]}
        if phone:
            dispatch["written_confirmation_due"] = ts(day, hour + 5 + 48)
        out.append(Step(f"relief/dispatch/{ds_id}", at(day, hour + 5), region, "relief.dispatch", dispatch,
                        f"{region} 调拨出库" + ("（电话调拨）" if phone else "")))
        for n, q, depot in lines:
            item = REQUEST[n][0]
            out.append(Step(f"relief/movement/{ds_id}-{n}", at(day, hour + 5.1), region, "relief.stock_movement", {
                "depot": _depot(depot), "movement_id": f"{ds_id}-{n}", "movement_type": "outbound",
                "occurred_at": ts(day, hour + 5), "item_code": item, "unit": UNITS[item], "quantity": q,
                "balance_after": STOCK[depot][item] - q, "dispatch_id": ds_id, "batch": "2025-B1"},
                f"{DEPOTS[depot][1]} 出库 {item} {q}"))
        rlines = []
        for n, q, _ in lines:
            received, disc, why = DISCREPANCIES.get((ds_id, n), (q, 0, None))
            ln = {"line_no": n, "item_code": REQUEST[n][0], "unit": UNITS[REQUEST[n][0]], "shipped": q,
                  "received": received, "in_transit": q - received - disc, "discrepancy": disc}
            rlines.append({**ln, "discrepancy_reason": why} if why else ln)
        out.append(Step(f"relief/receipt/{ds_id}", at(day + 1, hour - 8), "he", "relief.receipt", {
            "dispatch_id": ds_id, "request_id": REQUEST_ID, "received_at": ts(day + 1, hour - 8.5),
            "receiving_unit_code": "130681", "lines": rlines}, f"河北 签收 {ds_id}"))
    return out


def steps() -> list[Step]:
    return snapshots() + support_flow()
