"""SCRAM passwords of the bus principals: one file per user, 0600, generated when missing, never logged."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from jjj.config import REGIONS

ADMIN = "admin"
HUB_USER = "jjj-hub"


def region_user(region: str) -> str:
    return f"jjj-{region}"


def bus_users() -> list[str]:
    """The principals `jjj security apply` manages (admin is created at format time)."""
    return [region_user(r) for r in REGIONS] + [HUB_USER]


def password_file(secrets_dir: Path, user: str) -> Path:
    return secrets_dir / f"{user}.password"


def password(secrets_dir: Path, user: str, *, create: bool = True) -> str:
    """The user's password, generating a random one (0600 file) on first use."""
    f = password_file(secrets_dir, user)
    if f.exists():
        return f.read_text(encoding="utf-8").strip()
    if not create:
        raise FileNotFoundError(f)
    secrets_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(secrets_dir, 0o700)
    value = secrets.token_urlsafe(24)
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    return value


def client_options(secrets_dir: Path, user: str, protocol: str = "SASL_PLAINTEXT") -> dict[str, object]:
    """kafka-python options for `user` (same shape as jjj.bus.clients.security_options())."""
    return {"security_protocol": protocol, "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": user,
            "sasl_plain_password": password(secrets_dir, user)}


def client_env(secrets_dir: Path, user: str, protocol: str = "SASL_PLAINTEXT") -> dict[str, str]:
    """Environment for a process that should connect as `user` (the password stays in its file)."""
    password(secrets_dir, user)
    return {"JJJ_KAFKA_SASL_USERNAME": user, "JJJ_KAFKA_SASL_PASSWORD_FILE": str(password_file(secrets_dir, user)),
            "JJJ_KAFKA_SECURITY_PROTOCOL": protocol}
