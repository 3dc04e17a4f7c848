"""A batch's records and outcomes are counted per label set, exactly as many as there were."""

from __future__ import annotations

from types import SimpleNamespace

from prometheus_client import REGISTRY

from hub.infrastructure.metrics import HubMetrics


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_observe_batch_counts_records_messages_and_rejections_per_label() -> None:
    before = {
        "bj": value("jjj_hub_records_total", region="bj"), "he": value("jjj_hub_records_total", region="he"),
        "ok": value("jjj_hub_messages_total", region="bj", kind="disaster.report", code="100"),
        "bad": value("jjj_hub_messages_total", region="he", kind="eldercare.claim", code="420"),
        "dup": value("jjj_hub_messages_total", region="bj", kind="disaster.report", code="201"),
        "r420": value("jjj_hub_rejections_total", code="420"), "r201": value("jjj_hub_rejections_total", code="201"),
    }
    records = [SimpleNamespace(topic=t) for t in ("jjj.bj.disaster", "jjj.bj.disaster", "jjj.he.eldercare",
                                                  "jjj.bj.disaster")]
    outcomes = [("bj", "disaster.report", 100), ("bj", "disaster.report", 100), ("he", "eldercare.claim", 420),
                ("bj", "disaster.report", 201)]
    HubMetrics().observe_batch(records, SimpleNamespace(outcomes=outcomes), 0.2)
    assert value("jjj_hub_records_total", region="bj") - before["bj"] == 3
    assert value("jjj_hub_records_total", region="he") - before["he"] == 1
    assert value("jjj_hub_messages_total", region="bj", kind="disaster.report", code="100") - before["ok"] == 2
    assert value("jjj_hub_messages_total", region="he", kind="eldercare.claim", code="420") - before["bad"] == 1
    assert value("jjj_hub_messages_total", region="bj", kind="disaster.report", code="201") - before["dup"] == 1
    assert value("jjj_hub_rejections_total", code="420") - before["r420"] == 1
    assert value("jjj_hub_rejections_total", code="201") - before["r201"] == 0
