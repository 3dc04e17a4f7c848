"""Shared by the native renderers: the rendered input, number formatting in native units, reverse code maps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adapters.core import catalogues as cat
from schemas import refdata


@dataclass(frozen=True)
class Native:
    """What a region's system hands its adapter: a push (``http``) or a file (``file`` / ``cap``)."""

    intake: str          # "http" | "file" | "cap"
    format: str          # the adapter's format name (POST /intake/<format>, or the file's detected format)
    body: bytes
    filename: str | None = None

    @property
    def label(self) -> str:
        return f"HTTP POST /intake/{self.format}" if self.intake == "http" else f"{self.intake.upper()} {self.filename}"


def slug(step_id: str) -> str:
    return step_id.replace("/", "_")


def num(d: Decimal) -> str:
    """A Decimal as a native export writes it: no exponent, no needless zeros (146100, 2580.5)."""
    text = format(d.normalize(), "f")
    return text


def wan_to_yuan(wan: str) -> str:
    return num(Decimal(wan) * 10_000)


def ha_to_mu(ha: str) -> str:
    return num(Decimal(ha) * 15)


def fen_to_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def reverse(codemap: cat.CodeMap) -> dict[str, str]:
    """Canonical code → the first native name that maps to it."""
    out: dict[str, str] = {}
    for zh, code in codemap.table.items():
        out.setdefault(code, zh)
    return out


ITEM_ZH = {i.code: i.zh for i in refdata.RELIEF_ITEMS.values()}
SUBSIDY_ZH = {s.code: s.zh for s in refdata.SUBSIDY_TYPES.values()}
DISASTER_ZH = {t.code: t.zh for t in refdata.DISASTER_TYPES.values()}
SUB_TYPE_ZH = {code: zh for t in refdata.DISASTER_TYPES.values() for code, (zh, _en, _g) in t.sub_types.items()}
STAGE_ZH = {"initial": "初报", "update": "续报", "final": "核报"}
MODE_ZH = {"physical": "实物", "agreement": "协议", "capacity": "产能"}
REGION_ZH = {"bj": "北京市", "tj": "天津市", "he": "河北省"}


def county_name(code: str) -> str:
    return refdata.division(code).name
