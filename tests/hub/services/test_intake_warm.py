"""The fast validators are compiled when the intake is built, not inside the first poll batch."""

from __future__ import annotations

import schemas
import schemas.fast
from hub.services.intake import warm_schemas


def test_warm_schemas_compiles_every_kind_up_front() -> None:
    schemas.fast._compiled.cache_clear()
    warm_schemas()
    info = schemas.fast._compiled.cache_info()
    assert info.currsize == len(schemas.KINDS)
    warm_schemas()  # idempotent: a second worker start compiles nothing
    assert schemas.fast._compiled.cache_info().misses == info.misses
