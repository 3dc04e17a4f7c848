"""The topic layout of contracts.md, declared once.

Region r writes `jjj.<r>.<family>` and reads `jjj.to.<r>` and `jjj.hub.status`; the hub reads every regional topic
and writes the rest. The prefix is configurable (JJJ_TOPIC_PREFIX) so that ACLs can use prefixed rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jjj.config import REGIONS

REGION_FAMILIES = ("disaster", "relief", "verification", "referral", "eldercare", "heartbeat")

DAY_MS = 24 * 3600 * 1000
MAX_MESSAGE_BYTES = 1_048_576  # contracts.md code 330 "too large" is checked at the hub below this


@dataclass(frozen=True)
class TopicSpec:
    """One topic: name, partitions and the configs `jjj topics apply` enforces."""

    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)
    purpose: str = ""


def _cfg(retention_days: int | None, cleanup: str = "delete") -> dict[str, str]:
    return {
        "cleanup.policy": cleanup,
        "retention.ms": "-1" if retention_days is None else str(retention_days * DAY_MS),
        "max.message.bytes": str(MAX_MESSAGE_BYTES),
    }


def region_topic(prefix: str, region: str, family: str) -> str:
    return f"{prefix}.{region}.{family}"


def inbox_topic(prefix: str, region: str) -> str:
    return f"{prefix}.to.{region}"


def status_topic(prefix: str) -> str:
    return f"{prefix}.hub.status"


def dlq_topic(prefix: str) -> str:
    return f"{prefix}.dlq"


def declared_topics(prefix: str = "jjj") -> list[TopicSpec]:
    """Every topic of the platform. Regional topics keep a year so `jjj hub rebuild` can replay them."""
    specs: list[TopicSpec] = []
    for region in REGIONS:
        for family in REGION_FAMILIES:
            if family == "heartbeat":
                specs.append(TopicSpec(region_topic(prefix, region, family), 1, _cfg(1), "adapter liveness"))
            else:
                specs.append(TopicSpec(region_topic(prefix, region, family), 6, _cfg(365), f"{family} from {region}"))
        specs.append(TopicSpec(inbox_topic(prefix, region), 3, _cfg(30), f"everything addressed to {region}"))
    specs.append(TopicSpec(status_topic(prefix), 3, _cfg(30), "shared-status change events"))
    specs.append(TopicSpec(dlq_topic(prefix), 3, _cfg(90), "rejected records with error context"))
    return specs


def hub_input_topics(prefix: str = "jjj") -> list[str]:
    """What the hub consumes: every regional topic."""
    return [region_topic(prefix, r, f) for r in REGIONS for f in REGION_FAMILIES]


def parse_region_topic(prefix: str, topic: str) -> tuple[str, str] | None:
    """`jjj.bj.disaster` -> ("bj", "disaster"); None for any other topic."""
    parts = topic.split(".")
    if len(parts) != 3 or parts[0] != prefix or parts[1] not in REGIONS or parts[2] not in REGION_FAMILIES:
        return None
    return parts[1], parts[2]
