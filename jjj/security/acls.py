"""The bus's users and ACLs as code (contracts.md "Topics"), applied idempotently by `jjj security apply`.

Region r (User:jjj-r):  WRITE topic prefix `<p>.r.`; READ topics `<p>.to.r` and `<p>.hub.status`;
                        READ group prefix `<p>-adapter-r` (AdapterRuntime.inbox_consumer); WRITE+DESCRIBE transactional id prefix `<p>-adapter-r`.
Hub (User:jjj-hub):     READ topic prefixes `<p>.bj.`, `<p>.tj.`, `<p>.he.`; WRITE topic prefix `<p>.to.`, topics
                        `<p>.hub.status`, `<p>.dlq`; READ group prefix `<hub group>`; WRITE+DESCRIBE transactional id
                        prefix `<hub group>`.
READ and WRITE imply DESCRIBE on topics. No IDEMPOTENT_WRITE on the cluster is granted: since Kafka 2.8 (KIP-679)
an idempotent producer only needs WRITE on some topic, and the secure tests prove that it publishes.
Everything else is denied (`allow.everyone.if.no.acl.found=false`); `admin` is the only super user on the client
listener (topic creation, user and ACL management, operator replays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from kafka.errors import KafkaError

from jjj.bus.topics import dlq_topic, inbox_topic, status_topic
from jjj.config import REGIONS
from jjj.errors import BusError
from jjj.security import secrets as sec

P, L = ACLResourcePatternType.PREFIXED, ACLResourcePatternType.LITERAL
T, G, X = ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID
R, W, D = ACLOperation.READ, ACLOperation.WRITE, ACLOperation.DESCRIBE


@dataclass(frozen=True, order=True)
class Rule:
    """ALLOW `operation` on a resource for `User:<user>` from any host."""

    user: str
    resource: str  # TOPIC | GROUP | TRANSACTIONAL_ID
    name: str
    pattern: str  # PREFIXED | LITERAL
    operation: str  # READ | WRITE | DESCRIBE

    def to_acl(self) -> ACL:
        return ACL(f"User:{self.user}", "*", ACLOperation[self.operation], ACLPermissionType.ALLOW,
                   ResourcePattern(ResourceType[self.resource], self.name, ACLResourcePatternType[self.pattern]))

    @classmethod
    def from_acl(cls, acl: ACL) -> Rule | None:
        if acl.permission_type != ACLPermissionType.ALLOW or acl.host != "*" or not acl.principal.startswith("User:"):
            return None
        rp = acl.resource_pattern
        return cls(acl.principal[5:], rp.resource_type.name, rp.resource_name, rp.pattern_type.name, acl.operation.name)


def desired_rules(prefix: str = "jjj", hub_group: str = "jjj-hub") -> list[Rule]:
    rules: list[Rule] = []
    for r in REGIONS:
        u = sec.region_user(r)
        rules += [Rule(u, "TOPIC", f"{prefix}.{r}.", "PREFIXED", "WRITE"),
                  Rule(u, "TOPIC", inbox_topic(prefix, r), "LITERAL", "READ"),
                  Rule(u, "TOPIC", status_topic(prefix), "LITERAL", "READ"),
                  Rule(u, "GROUP", f"{prefix}-adapter-{r}", "PREFIXED", "READ"),
                  Rule(u, "TRANSACTIONAL_ID", f"{prefix}-adapter-{r}", "PREFIXED", "WRITE"),
                  Rule(u, "TRANSACTIONAL_ID", f"{prefix}-adapter-{r}", "PREFIXED", "DESCRIBE")]
        rules.append(Rule(sec.HUB_USER, "TOPIC", f"{prefix}.{r}.", "PREFIXED", "READ"))
    hub = sec.HUB_USER
    rules += [Rule(hub, "TOPIC", f"{prefix}.to.", "PREFIXED", "WRITE"),
              Rule(hub, "TOPIC", status_topic(prefix), "LITERAL", "WRITE"),
              Rule(hub, "TOPIC", dlq_topic(prefix), "LITERAL", "WRITE"),
              Rule(hub, "GROUP", hub_group, "PREFIXED", "READ"),
              Rule(hub, "TRANSACTIONAL_ID", hub_group, "PREFIXED", "WRITE"),
              Rule(hub, "TRANSACTIONAL_ID", hub_group, "PREFIXED", "DESCRIBE")]
    return sorted(rules)


@dataclass
class SecurityApplyResult:
    users_created: list[str] = field(default_factory=list)
    acls_created: list[Rule] = field(default_factory=list)
    acls_removed: list[Rule] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.users_created or self.acls_created or self.acls_removed)

    def summary(self) -> str:
        if not self.changed:
            return "users and ACLs up to date: nothing changed"
        lines = [f"created SCRAM-SHA-512 user {u}" for u in self.users_created]
        lines += [f"allowed {r.user} {r.operation} {r.resource} {r.pattern} {r.name}" for r in self.acls_created]
        lines += [f"removed {r.user} {r.operation} {r.resource} {r.pattern} {r.name}" for r in self.acls_removed]
        return "\n".join(lines)


def current_rules(admin: KafkaAdminClient) -> list[Rule]:
    """Every ALLOW ACL on the cluster, as rules."""
    any_filter = ACLFilter(None, None, ACLOperation.ANY, ACLPermissionType.ANY,
                           ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY))
    acls, _ = admin.describe_acls(any_filter)
    return sorted(r for r in (Rule.from_acl(a) for a in acls) if r is not None)


def apply_security(bootstrap: str, admin_options: dict[str, object], secrets_dir: Path, *, prefix: str = "jjj",
                   hub_group: str = "jjj-hub", prune: bool = False, rotate: tuple[str, ...] = ()) -> SecurityApplyResult:
    """Create missing users (passwords from `secrets_dir`, generated when absent) and missing ACLs; with `prune`,
    remove ACLs of the managed users that the layout does not list. A second run changes nothing."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000, **admin_options)
    except KafkaError as exc:
        raise BusError(f"cannot reach Kafka to apply security: {exc}", bootstrap=bootstrap) from exc
    result = SecurityApplyResult()
    try:
        users = sec.bus_users()
        described = admin.describe_user_scram_credentials(users)
        missing = [u for u in users if u in rotate or not any(
            ci["mechanism"] == ScramMechanism.SCRAM_SHA_512 for ci in described.get(u, {}).get("credential_infos", []))]
        if missing:
            errors = admin.alter_user_scram_credentials(
                [UserScramCredentialUpsertion(u, ScramMechanism.SCRAM_SHA_512, sec.password(secrets_dir, u),
                                              iterations=8192) for u in missing])
            failed = {u: e for u, e in errors.items() if e}
            if failed:
                raise BusError(f"creating SCRAM users failed: {failed}", bootstrap=bootstrap)
            result.users_created = missing
        want = desired_rules(prefix, hub_group)
        have = set(current_rules(admin))
        new = [r for r in want if r not in have]
        if new:
            created = admin.create_acls([r.to_acl() for r in new])
            if created["failed"]:
                raise BusError(f"creating ACLs failed: {created['failed']}", bootstrap=bootstrap)
            result.acls_created = new
        if prune:
            extra = [r for r in sorted(have) if r.user in users and r not in set(want)]
            if extra:
                admin.delete_acls([r.to_acl() for r in extra])
                result.acls_removed = extra
    except KafkaError as exc:
        raise BusError(f"applying users and ACLs failed: {exc}", bootstrap=bootstrap) from exc
    finally:
        admin.close()
    return result
