"""Writes jjj-dashboard.json (run: python ops/grafana/build_dashboard.py). Panels use only metrics the code defines
(tests/web/test_ops.py checks every metric name against the code and the web's live /metrics)."""

import json
from pathlib import Path

DS = {"type": "prometheus", "uid": "${datasource}"}
PANELS = [
    ("Messages by region and outcome 消息（按地区、结果）", "timeseries",
     'sum by (region, code) (rate(jjj_hub_messages_total[5m]))', "{{region}} {{code}}"),
    ("Messages by kind 消息（按类型）", "timeseries", 'sum by (kind) (rate(jjj_hub_messages_total[5m]))', "{{kind}}"),
    ("Rejections by code 拒收（按代码）", "timeseries", 'sum by (code) (rate(jjj_hub_rejections_total[5m]))', "{{code}}"),
    ("Consumer lag 消费滞后", "timeseries", 'sum by (topic) (jjj_hub_consumer_lag)', "{{topic}}"),
    ("Consumer lag by region (web probe) 分地区滞后", "timeseries", 'sum by (region) (jjj_consumer_lag_records)',
     "{{region}}"),
    ("Hub batch p99 批处理 p99", "timeseries",
     'histogram_quantile(0.99, sum by (le) (rate(jjj_hub_batch_seconds_bucket[5m])))', "p99"),
    ("Outbox depth reported by regions 发件箱积压", "timeseries", 'max by (region) (jjj_region_outbox_depth)', "{{region}}"),
    ("Adapter outbox depth 适配器发件箱", "timeseries", 'max by (instance) (jjj_adapter_outbox_depth)', "{{instance}}"),
    ("Heartbeat age 心跳间隔", "timeseries", 'max by (region) (jjj_region_heartbeat_age_seconds)', "{{region}}"),
    ("Verifications overdue 核对超期", "stat", 'sum(jjj_verification_overdue)', "overdue"),
    ("Referrals overdue 转办超期", "stat", 'sum(jjj_referral_overdue)', "overdue"),
    ("Settlement by status (yuan) 结算金额", "timeseries", 'sum by (status) (jjj_settlement_fen) / 100', "{{status}}"),
    ("Statements by status 结算单", "stat", 'sum by (status) (jjj_settlement_statements)', "{{status}}"),
    ("Dead letters pending 死信", "stat", 'sum by (region) (jjj_dead_letters_pending)', "{{region}}"),
    ("Web p99 latency 接口 p99", "timeseries",
     'histogram_quantile(0.99, sum by (le, endpoint) (rate(jjj_web_request_seconds_bucket[5m])))', "{{endpoint}}"),
    ("Web requests by status 请求", "timeseries", 'sum by (status) (rate(jjj_web_requests_total[5m]))', "{{status}}"),
]


def build() -> dict:
    panels = []
    for i, (title, kind, expr, legend) in enumerate(PANELS):
        panels.append({"id": i + 1, "title": title, "type": kind, "datasource": DS,
                       "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8},
                       "targets": [{"refId": "A", "datasource": DS, "expr": expr, "legendFormat": legend}]})
    return {
        "title": "京津冀民政协同平台 JJJ hub", "uid": "jjj-hub", "schemaVersion": 39, "version": 1,
        "tags": ["jjj"], "timezone": "Asia/Shanghai", "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": panels,
    }


if __name__ == "__main__":
    out = Path(__file__).with_name("jjj-dashboard.json")
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
