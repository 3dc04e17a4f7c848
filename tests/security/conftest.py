"""One secure broker (SASL/SCRAM + StandardAuthorizer) per test session: its own state folder, free ports, the jars of
the development broker. The shared broker on 9092 is never touched."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from jjj.config import PROJECT_ROOT, Settings
from tests.trust.conftest import hub  # noqa: F401 - the hub-worker fixture, shared with tests/trust


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A started secure broker with the declared topics of `secure_prefix`, users and ACLs applied."""
    from jjj.security.broker import SecureBroker, down, up

    root = tmp_path_factory.mktemp("kafka-secure")
    libs = Path(os.environ.get("JJJ_KAFKA_LIBS_DIR", str(PROJECT_ROOT / "state" / "kafka" / "libs")))
    settings = Settings(state_dir=root)
    broker = SecureBroker(root / "broker", free_port(), free_port(), libs if libs.exists() else None)
    up(settings, broker)
    yield broker
    down(settings, broker)


@pytest.fixture(scope="session")
def secure_prefix(secure_broker) -> str:  # noqa: ANN001
    from jjj.bus.admin import apply_topics
    from jjj.bus.topics import declared_topics
    from jjj.security.acls import apply_security

    prefix = f"s{uuid.uuid4().hex[:8]}"
    apply_topics(secure_broker.bootstrap, declared_topics(prefix), **secure_broker.admin_options())
    apply_security(secure_broker.bootstrap, secure_broker.admin_options(), secure_broker.secrets_dir, prefix=prefix,
                   hub_group=f"jjj-hub-{prefix}")
    return prefix


@pytest.fixture
def as_user(secure_broker):  # noqa: ANN001, ANN201
    """kafka-python options for one bus user of the secure broker."""
    from jjj.security import secrets as sec

    def options(user: str) -> dict[str, object]:
        return {"bootstrap_servers": secure_broker.bootstrap, **sec.client_options(secure_broker.secrets_dir, user)}

    return options
