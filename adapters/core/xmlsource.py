"""Streaming XML (defusedxml iterparse: no entity expansion, no external DTDs) and small element helpers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from adapters.core.errors import FormatError, bad
from adapters.core.readers import Record


def local(tag: str) -> str:
    """``{urn:…}alert`` → ``alert``."""
    return tag.rsplit("}", 1)[-1]


def iter_elements(fh: BinaryIO, source: str, record_tag: str) -> Iterator[Record]:
    """Each ``record_tag`` element (any depth, any namespace) once it is complete, then freed.

    Location is the element's path with 1-based sibling indexes (``/灾情报告集/Report[3]``).  A parse error
    anywhere raises :class:`FormatError` with line and column; records before it were already yielded.
    """
    stack: list[str] = []
    counters: list[dict[str, int]] = [{}]
    path: list[str] = []
    ordinal = 0
    elems: list[ET.Element] = []
    try:
        for event, elem in iterparse(fh, events=("start", "end"), forbid_dtd=True):
            name = local(elem.tag)
            if event == "start":
                elems.append(elem)
                n = counters[-1].get(name, 0) + 1
                counters[-1][name] = n
                counters.append({})
                stack.append(name)
                path.append(f"{name}[{n}]" if len(stack) > 1 else name)
                continue
            loc = "/" + "/".join(path)
            counters.pop()
            stack.pop()
            path.pop()
            elems.pop()
            if name == record_tag:
                ordinal += 1
                yield Record(source, loc, elem, ET.tostring(elem, encoding="unicode"), ordinal)
                if elems:
                    elems[-1].remove(elem)  # detach the finished record: memory stays flat
        if ordinal == 0:
            raise FormatError(f"no <{record_tag}> element in the file", f"文件中没有 <{record_tag}> 元素", source=source)
    except ET.ParseError as exc:
        line, col = exc.position
        raise FormatError(f"broken XML: {exc}", "XML 格式错误", source=source,
                          location=f"line {line} column {col}") from None
    except LookupError as exc:  # expat asks the codec registry for the declared encoding (encoding="UTF-9")
        raise FormatError(f"the XML declaration names an unknown encoding: {exc}", "XML 声明的编码无法识别",
                          source=source, location="line 1") from None
    except DefusedXmlException as exc:
        raise FormatError(f"forbidden XML construct: {type(exc).__name__}", "XML 含有禁止的结构（DTD/实体）",
                          source=source) from None


def children(elem: ET.Element) -> dict[str, ET.Element]:
    """Direct children by local name (the first of each name)."""
    out: dict[str, ET.Element] = {}
    for c in elem:
        out.setdefault(local(c.tag), c)
    return out


def text(elem: ET.Element, name: str, *, required: bool = True) -> str | None:
    """Stripped text of the direct child ``name``; a located error when required and missing or empty."""
    for c in elem:
        if local(c.tag) == name:
            value = (c.text or "").strip()
            if value or not required:
                return value or None
            break
    if required:
        raise bad(name, "element is missing or empty", "元素缺失或为空")
    return None


def all_named(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if local(c.tag) == name]
