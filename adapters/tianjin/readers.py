"""Tianjin exports are CSV (GBK or UTF-8 with BOM) or Excel .xlsx with the same header row."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from adapters.core.readers import Record, read_csv, read_xlsx
from adapters.tianjin.config import CONFIG


def table(required: Sequence[str]) -> Callable[[BinaryIO, str, Path], Iterator[Record]]:
    """A reader for a Tianjin export with these required columns, by file suffix."""

    def reader(fh: BinaryIO, source: str, path: Path) -> Iterator[Record]:
        if path.suffix.lower() == ".xlsx":
            return read_xlsx(path, source, required)
        return read_csv(fh, source, required, encoding=CONFIG["csv_encoding"])

    return reader
