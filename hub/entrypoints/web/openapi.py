"""The OpenAPI document, generated from the app without a database (committed as ``schemas/openapi.yaml``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml


def openapi_dict() -> dict:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from hub.entrypoints.web import create_app
    from hub.infrastructure import tables
    from jjj.config import Settings

    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    tables.create_all(engine)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(state_dir=Path(tmp), database_url="sqlite://"), engine=engine)
        with app.app_context():
            return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


def openapi_yaml() -> str:
    return yaml.safe_dump(openapi_dict(), allow_unicode=True, sort_keys=True, width=120)
