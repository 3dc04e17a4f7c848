"""Find personal data where it must not be (contracts.md "Privacy"): plain ID numbers and unmasked names.

- ID numbers: any 18-character run `17 digits + digit/X` not inside a longer token, that is a valid GB 11643 number
  (check digit, real date, known address code: `schemas.person.is_valid_id_number`). Hex digests (person_refs) and
  message ids do not match: they are bounded by letters or are longer.
- Names: a 2–4 character Chinese value without `*` next to a person-name field (`masked_name`, `姓名`, `联系人`, …)
  in JSON or in page text, and any of the `known_names` (e.g. the unmasked names in the regions' sample input).

`scan_text(where, text)` returns hits with the matched value masked, so a report never repeats the personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.person import is_valid_id_number, mask_name

ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
NAME_KEYS = r"(?:masked_name|full_name|person_name|elder_name|applicant_name|subject_name|contact_name|姓名|联系人|申请人|老人姓名)"
NAME_JSON = re.compile(r'"' + NAME_KEYS + r'"\s*:\s*"([^"]{1,8})"')
NAME_LABEL = re.compile(NAME_KEYS + r"\s*[:：=]\s*(?:<[^>]{0,80}>\s*)*([\u4e00-\u9fff·*＊]{2,5})")
CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


@dataclass(frozen=True)
class Hit:
    where: str  # "topic t/0/12", "db table.column", "log", "page /path"
    kind: str  # "id_number" | "name"
    masked: str  # the value, masked: never the personal data itself

    def __str__(self) -> str:
        return f"{self.kind} {self.masked} in {self.where}"


def mask_id(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:]


def mask_text(text: str) -> str:
    """The text with every valid ID number masked (for operator displays such as `jjj dlq show`)."""
    return ID_CANDIDATE.sub(lambda m: mask_id(m.group(0)) if is_valid_id_number(m.group(0)) else m.group(0), text)


def scan_text(where: str, text: str, known_names: Iterable[str] = ()) -> list[Hit]:
    hits = [Hit(where, "id_number", mask_id(m.group(0))) for m in ID_CANDIDATE.finditer(text)
            if is_valid_id_number(m.group(0))]
    for pattern in (NAME_JSON, NAME_LABEL):
        for m in pattern.finditer(text):
            value = m.group(1)
            if "*" not in value and "＊" not in value and CJK_NAME.match(value):
                hits.append(Hit(where, "name", mask_name(value)))
    for name in known_names:
        if name and name in text:
            hits.append(Hit(where, "name", mask_name(name)))
    return hits


def scan_bytes(where: str, data: bytes | None, known_names: Iterable[str] = ()) -> list[Hit]:
    if not data:
        return []
    return scan_text(where, data.decode("utf-8", "replace"), known_names)


def scan_records(records: Iterable, known_names: Iterable[str] = ()) -> list[Hit]:
    """Kafka records: key, value and every header value."""
    hits: list[Hit] = []
    names = list(known_names)
    for r in records:
        where = f"topic {r.topic}/{r.partition}/{r.offset}"
        hits += scan_bytes(where, r.key, names) + scan_bytes(where, r.value, names)
        for k, v in r.headers or []:
            hits += scan_bytes(f"{where} header {k}", v, names)
    return hits


def scan_database(engine, known_names: Iterable[str] = ()) -> list[Hit]:  # noqa: ANN001
    """Every column of every table, rendered as text (JSON columns included)."""
    import json

    from sqlalchemy import MetaData, select

    names = list(known_names)
    meta = MetaData()
    meta.reflect(engine)
    hits: list[Hit] = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                for col, value in row._mapping.items():
                    if value is None or isinstance(value, int | float):
                        continue
                    if isinstance(value, bytes | bytearray | memoryview):
                        text = bytes(value).decode("utf-8", "replace")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    else:
                        text = str(value)
                    hits += scan_text(f"db {table.name}.{col}", text, names)
    return hits
