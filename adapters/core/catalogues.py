"""National Chinese names → canonical codes, built from the contract's reference data (one source of truth).

The three provincial systems all use the national names (灾种, 物资名称, 补贴项目); what differs between them is
field names, units, area codes and layout, which live in each region's package.
"""

from __future__ import annotations

from adapters.core.mapping import CodeMap
from schemas import refdata

DISASTER_TYPES = CodeMap("disaster type", "灾种", {t.zh: t.code for t in refdata.DISASTER_TYPES.values()})
SUB_TYPES = CodeMap("disaster sub-type", "灾种子类",
                    {zh: code for t in refdata.DISASTER_TYPES.values() for code, (zh, _en, _g) in t.sub_types.items()})
STAGES = CodeMap("report stage", "报告阶段", {"初报": "initial", "续报": "update", "核报": "final"})
_ITEM_NAMES = {i.zh: i.code for i in refdata.RELIEF_ITEMS.values()}
_ITEM_NAMES.update({i.zh.split("（")[0]: i.code for i in refdata.RELIEF_ITEMS.values() if i.code != "tent_cotton"})
_ITEM_NAMES.update({"单帐篷": "tent_single", "棉帐篷": "tent_cotton", "大型帐篷": "tent_large"})
RELIEF_ITEMS = CodeMap("relief item", "物资名称", _ITEM_NAMES)
STORAGE_MODES = CodeMap("storage mode", "储备方式", {"实物": "physical", "实物储备": "physical", "协议": "agreement",
                                                     "协议储备": "agreement", "产能": "capacity", "产能储备": "capacity"})
MOVEMENTS = CodeMap("movement type", "业务类型", {"入库": "inbound", "出库": "outbound", "调入": "transfer_in",
                                                 "调出": "transfer_out", "报废": "scrap", "盘点调整": "adjustment"})
SUBSIDY_TYPES = CodeMap("subsidy type", "补贴项目", {s.zh: s.code for s in refdata.SUBSIDY_TYPES.values()})
GRADES = CodeMap("capability grade", "能力评估等级", {"能力完好": "able", "轻度失能": "mild", "中度失能": "moderate",
                                                     "重度失能": "severe"})
REGIONS = CodeMap("region", "省市", {"北京": "bj", "北京市": "bj", "天津": "tj", "天津市": "tj", "河北": "he", "河北省": "he"})
ASSISTANCE = CodeMap("assistance type", "救助类型", {
    "低保": "dibao", "最低生活保障": "dibao", "低收入": "low_income", "特困": "extreme_poverty",
    "特困人员供养": "extreme_poverty", "临时救助": "temporary_assistance", "医疗救助": "medical_assistance",
    "教育救助": "education_assistance", "住房保障": "housing_security", "养老服务补贴": "eldercare_subsidy", "其他": "other"})
CHECK_ITEMS = CodeMap("verification item", "核对项目", {
    "户籍": "household_registration", "婚姻": "marriage", "死亡殡葬": "death_funeral", "死亡/殡葬": "death_funeral",
    "社保就业": "social_insurance", "社保/就业": "social_insurance", "公积金": "housing_fund", "不动产": "real_estate",
    "车辆": "vehicles", "工商": "business", "个税": "individual_income_tax", "证券": "securities", "存款": "deposits"})
RELATIONS = CodeMap("relation", "与申请人关系", {"本人": "applicant", "申请人": "applicant", "配偶": "spouse",
                                                "子女": "child", "父母": "parent", "兄弟姐妹": "sibling",
                                                "祖父母": "grandparent", "外祖父母": "grandparent", "孙子女": "grandchild",
                                                "其他": "other"})
ID_TYPES = CodeMap("ID type", "证件类型", {"居民身份证": "resident_id", "身份证": "resident_id", "其他": "other"})


def division_by_name(region_prefix: str) -> CodeMap:
    """County-level names of one region (``12`` → 武清区 → 120114), for systems that export names, not codes."""
    return CodeMap("district", "区县", {d.name: d.code for code in refdata.codes(("county",))
                                        if code.startswith(region_prefix) and (d := refdata.division(code))})
