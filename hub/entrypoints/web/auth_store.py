"""Users, roles and API tokens of the web app (its own tables; managed with `jjj users ...`, never hard-coded).

Passwords are stored as werkzeug scrypt/pbkdf2 hashes; API tokens as SHA-256 digests (a token is random, 256 bits:
a fast hash is enough and lets the lookup use an index). The plain token is shown once, when issued.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, ForeignKey, Integer, MetaData, String, Table, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from jjj.config import REGIONS
from jjj.db import create_tables
from jjj.errors import JJJError

metadata = MetaData()

ROLES = ("coordinator", "region_operator", "district_officer", "admin")

web_users = Table(
    "web_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(24), nullable=False),
    Column("region", String(8), nullable=True),  # region operators
    Column("district", String(12), nullable=True),  # district settlement officers (GB/T 2260)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
)

web_tokens = Table(
    "web_tokens", metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id"), nullable=False),
    Column("label", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)


class UserError(JJJError):
    """A user or role change that cannot be made (unknown role, missing region/district, duplicate name)."""


@dataclass(frozen=True)
class User:
    """Who is asking: the role decides what they see; region/district scope it."""

    id: int
    username: str
    role: str
    region: str | None = None
    district: str | None = None

    def can(self, *roles: str) -> bool:
        return self.role in roles


def create_all(engine: Engine) -> None:
    create_tables(metadata, engine)


def _check_scope(role: str, region: str | None, district: str | None) -> None:
    from schemas import refdata

    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if role == "region_operator" and region not in REGIONS:
        raise UserError("a region operator needs --region bj|tj|he")
    d = refdata.division(district) if district else None
    if role == "district_officer" and (d is None or not d.current or refdata.region_of(district) is None):
        raise UserError("a district officer needs --district <GB/T 2260 code of a district in Beijing/Tianjin/Hebei>")


def _row(row) -> User:  # noqa: ANN001
    return User(row.id, row.username, row.role, row.region, row.district)


def add_user(engine: Engine, username: str, password: str, role: str, *, region: str | None = None,
             district: str | None = None) -> User:
    _check_scope(role, region, district)
    if len(password) < 10:
        raise UserError("passwords need at least 10 characters")
    with engine.begin() as conn:
        if conn.execute(select(web_users.c.id).where(web_users.c.username == username)).first():
            raise UserError(f"user {username!r} exists")
        conn.execute(insert(web_users).values(username=username, password_hash=generate_password_hash(password),
                                              role=role, region=region, district=district,
                                              created_at=datetime.now(UTC)))
    return get_user(engine, username)


def get_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(web_users).where(web_users.c.username == username,
                                                   web_users.c.disabled_at.is_(None))).first()
    return _row(row) if row else None


def user_by_id(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(web_users).where(web_users.c.id == user_id, web_users.c.disabled_at.is_(None))).first()
    return _row(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(select(web_users).order_by(web_users.c.username))]


def set_role(engine: Engine, username: str, role: str, *, region: str | None = None, district: str | None = None) -> User:
    _check_scope(role, region, district)
    with engine.begin() as conn:
        n = conn.execute(update(web_users).where(web_users.c.username == username)
                         .values(role=role, region=region, district=district)).rowcount
    if not n:
        raise UserError(f"no user {username!r}")
    return get_user(engine, username)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(web_users).where(web_users.c.username == username,
                                                   web_users.c.disabled_at.is_(None))).first()
    if row is None:
        check_password_hash(generate_password_hash("x"), password)  # same work either way: no user enumeration
        return None
    return _row(row) if check_password_hash(row.password_hash, password) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(engine: Engine, username: str, label: str = "api") -> str:
    """A new bearer token for ``username``; only its digest is stored."""
    user = get_user(engine, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    token = "jjj_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(web_tokens).values(digest=_digest(token), user_id=user.id, label=label,
                                               created_at=datetime.now(UTC)))
    return token


def user_for_token(engine: Engine, token: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(web_users).join(web_tokens, web_tokens.c.user_id == web_users.c.id)
                           .where(web_tokens.c.digest == _digest(token), web_tokens.c.revoked_at.is_(None),
                                  web_users.c.disabled_at.is_(None))).first()
    return _row(row) if row else None
