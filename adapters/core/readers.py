"""Streaming readers of native files: every reader yields records one at a time and never loads a whole file.

A :class:`Record` carries where it came from (``source`` and a ``location`` such as ``row 1234`` or
``/alert/info[1]``), its fields as a dict, and the original (kept verbatim in the rejects table when refused).
Whole-file faults (wrong encoding, missing columns, broken XML) raise :class:`FormatError` where they are found.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from adapters.core.errors import FormatError

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Record:
    """One native record: a CSV/Excel row, a JSON document, an XML element, a CAP alert."""

    source: str
    location: str
    data: Any
    original: str
    ordinal: int = 0  # 1-based position in the file (data rows); resuming an import skips ordinals already done


# ---------------------------------------------------------------- text encodings

def detect_encoding(head: bytes, source: str = "") -> str:
    """``utf-8-sig`` for a BOM, ``utf-8`` when the head decodes as UTF-8, else ``gb18030`` (a superset of GBK);
    ``source`` names the file in the error when it is neither."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FormatError("the file is neither UTF-8 nor GBK text", "文件既不是 UTF-8 也不是 GBK 编码",
                          source=source) from None


def open_text(fh: BinaryIO, encoding: str | None = None, source: str = "") -> tuple[io.TextIOWrapper, str]:
    """Wrap a binary stream as text, detecting the encoding from its head unless ``encoding`` is given."""
    buffered = fh if isinstance(fh, io.BufferedReader) else io.BufferedReader(fh)  # type: ignore[arg-type]
    enc = encoding or detect_encoding(buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES], source)
    return io.TextIOWrapper(buffered, encoding=enc, errors="strict", newline=""), enc


# ---------------------------------------------------------------- CSV

def _decoded_lines(fh: BinaryIO, enc: str, source: str) -> Iterator[str]:
    """Physical lines decoded one by one, so a decoding fault names its own line (b"\\n" never occurs inside a
    UTF-8 or GBK multi-byte character, so splitting bytes on it is safe)."""
    decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    for line_no, raw in enumerate(fh, start=1):
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise _decode_error(exc, enc, source, f"row {line_no}") from None


def read_csv(fh: BinaryIO, source: str, required: Sequence[str] = (), *, encoding: str | None = None,
             delimiter: str = ",") -> Iterator[Record]:
    """Rows of a CSV export as dicts keyed by (stripped) header; ``row N`` counts the header as row 1."""
    buffered = fh if isinstance(fh, io.BufferedReader) else io.BufferedReader(fh)  # type: ignore[arg-type]
    enc = encoding or detect_encoding(buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES], source)
    reader = csv.reader(_decoded_lines(buffered, enc, source), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FormatError("the file is empty (no header row)", "文件为空（没有表头）", source=source) from None
    except csv.Error as exc:  # e.g. a bare CR inside the header line
        raise FormatError(f"broken CSV header: {exc}", f"CSV 表头格式错误：{exc}", source=source,
                          location="row 1") from None
    _check_columns(header, required, source)
    ordinal = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(f"broken CSV: {exc}", f"CSV 格式错误：{exc}", source=source,
                              location=f"row {reader.line_num}") from None
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of exports
        ordinal += 1
        if len(cells) != len(header):
            data = {"__cells__": cells, "__width__": len(header)}
        else:
            data = dict(zip(header, map(str.strip, cells), strict=True))
        yield Record(source, f"row {reader.line_num}", data, delimiter.join(cells), ordinal)


def _decode_error(exc: UnicodeDecodeError, enc: str, source: str, location: str) -> FormatError:
    return FormatError(f"cannot decode as {enc} (byte {exc.start} of the line): wrong encoding",
                       f"无法按 {enc} 解码：文件编码错误", source=source, location=location)


def _check_columns(header: list[str], required: Sequence[str], source: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise FormatError(f"missing columns: {', '.join(missing)}", f"缺少列：{'、'.join(missing)}", source=source,
                          location="row 1", details={"missing": missing})


# ---------------------------------------------------------------- Excel (.xlsx)

#: what openpyxl lets escape from a damaged workbook: a bad zip member (CRC, truncated deflate stream), broken
#: sheet XML (ElementTree/lxml parse errors are SyntaxErrors), a missing part, a value it cannot convert
_XLSX_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, SyntaxError)


def read_xlsx(path: Path, source: str, required: Sequence[str] = (), *, sheet: str | None = None) -> Iterator[Record]:
    """Rows of the first (or named) sheet with openpyxl ``read_only=True``: constant memory for big ledgers.

    A workbook damaged anywhere (its directory, or a sheet stream found corrupt only while rows are read) is a
    :class:`FormatError` located at the sheet row where reading stopped; rows before it were already yielded.
    """
    from openpyxl import load_workbook

    # We open the file ourselves so that it is closed even when openpyxl fails part-way through load_workbook
    # (it would otherwise stay open, held by the exception's frames, until garbage collection).
    with open(path, "rb") as fh:
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except _XLSX_DAMAGE as exc:
            raise FormatError(f"not a readable .xlsx workbook: {_damage(exc)}", "不是有效的 .xlsx 工作簿",
                              source=source) from None
        try:
            yield from _sheet_rows(wb, source, required, sheet)
        finally:
            wb.close()


def _damage(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _sheet_rows(wb: Any, source: str, required: Sequence[str], sheet: str | None) -> Iterator[Record]:
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
    except (KeyError, IndexError):
        raise FormatError(f"no sheet {sheet!r}" if sheet else "the workbook has no sheet",
                          f"没有工作表“{sheet}”" if sheet else "工作簿没有工作表", source=source) from None
    rows = ws.iter_rows(values_only=True)
    row_no = 1

    def next_row() -> tuple | None:
        try:
            return next(rows)
        except StopIteration:
            return None
        except _XLSX_DAMAGE as exc:
            raise FormatError(f"the sheet is damaged and cannot be read on: {_damage(exc)}",
                              "工作表已损坏，无法继续读取", source=source, location=f"{ws.title}!row {row_no}") from None

    first = next_row()
    if first is None:
        raise FormatError("the sheet is empty (no header row)", "工作表为空（没有表头）", source=source)
    header = [str(h).strip() if h is not None else "" for h in first]
    _check_columns(header, required, source)
    ordinal = 0
    while True:
        row_no += 1
        values = next_row()
        if values is None:
            return
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        ordinal += 1
        cells = list(values)[: len(header)] + [None] * max(0, len(header) - len(values))
        data = {h: _cell(v) for h, v in zip(header, cells, strict=True) if h}
        yield Record(source, f"{ws.title}!row {row_no}", data,
                     json.dumps([_cell(v) for v in values], ensure_ascii=False, default=str), ordinal)


def _cell(v: object) -> object:
    from datetime import date, datetime

    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return v.strip()
    return v


# ---------------------------------------------------------------- JSON

def _detach(text: io.TextIOWrapper) -> None:
    # The caller owns the binary file; detaching keeps the wrapper from "owning" (and warning about) it.
    with contextlib.suppress(ValueError):
        text.detach()



def read_json(fh: BinaryIO, source: str, *, lines: bool = False) -> Iterator[Record]:
    """One document or an array of documents; with ``lines`` (``.jsonl``) one document per line, streamed."""
    text, _ = open_text(fh, "utf-8-sig")
    if lines:
        try:
            yield from _json_lines(text, source)
        finally:
            _detach(text)
        return
    try:
        body = text.read()
    except UnicodeDecodeError:
        raise FormatError("JSON must be UTF-8", "JSON 必须为 UTF-8 编码", source=source) from None
    finally:
        _detach(text)
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                          f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列", source=source) from None
    yield from json_documents(doc, source)


def _json_lines(text: io.TextIOWrapper, source: str) -> Iterator[Record]:
    ordinal = 0
    line_no = 0
    while True:
        try:
            line = text.readline()
        except UnicodeDecodeError:
            raise FormatError("JSON must be UTF-8", "JSON 必须为 UTF-8 编码", source=source,
                              location=f"line {line_no + 1}") from None
        if not line:
            return
        line_no += 1
        if not line.strip():
            continue
        ordinal += 1
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:  # one bad line is one bad record, not a bad file
            doc = {"__json_error__": f"{exc.msg} at column {exc.colno}"}
        yield Record(source, f"line {line_no}", doc, line.rstrip("\r\n"), ordinal)


def json_documents(doc: Any, source: str) -> Iterator[Record]:
    """A parsed body (object or array) as records located ``$`` or ``$[i]``."""
    docs = doc if isinstance(doc, list) else [doc]
    for i, d in enumerate(docs):
        loc = f"$[{i}]" if isinstance(doc, list) else "$"
        yield Record(source, loc, d, json.dumps(d, ensure_ascii=False), i + 1)
