"""Decoding response bodies: charset from header, BOM, meta tag, detection.

Chinese government sites often declare one charset and send another (a ``charset=utf-8``
header on a GBK page, ``gb2312`` pages using GBK-only characters); :func:`decode_body`
prefers whatever decodes cleanly.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["decode_body", "is_text_type"]


_TEXT_TYPE_MARKERS = ("html", "xml", "json")
_GB_FAMILY = frozenset(
    {
        "gb2312",
        "gbk",
        "gb_2312-80",
        "gb_2312",
        "csgb2312",
        "x-gbk",
        "cp936",
        "ms936",
        "euc-cn",
        "euccn",
        "gb18030",
        "chinese",
        "iso-ir-58",
    }
)
_WEAK_HEADER = frozenset({"latin_1", "iso8859-1", "cp1252", "ascii"})
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]{2,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.:\-]{2,40})""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Replacement characters tolerated before a declared charset is considered wrong.
_TOLERATED_REPLACEMENTS = 2


def is_text_type(content_type: str | None) -> bool:
    """True for media types worth decoding: text/*, *html*, *xml*, *json*."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media.startswith("text/") or any(m in media for m in _TEXT_TYPE_MARKERS)


def _normalise_charset(name: str | bytes | None) -> str | None:
    """A Python codec name for a declared charset; the GB family becomes gb18030."""
    if not name:
        return None
    label = (name.decode("ascii", "ignore") if isinstance(name, bytes) else name).strip().lower()
    label = label.strip("\"'")
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec in ("gb2312", "gbk"):
        return "gb18030"
    if codec == "utf-8":
        return "utf-8-sig"  # also drops a stray BOM
    return codec


def _bom_charset(content: bytes) -> str | None:
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec
    return None


def _declared_in_document(content: bytes) -> str | None:
    head = content[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    codec = _normalise_charset(match.group(1)) if match else None
    if codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        return "utf-8-sig"  # an ASCII-compatible page cannot really be UTF-16 (WHATWG)
    return codec


def _detected(content: bytes) -> str | None:
    best = charset_normalizer.from_bytes(content[:262144]).best()
    return _normalise_charset(best.encoding) if best is not None else None


def _replacements(content: bytes, codec: str) -> tuple[str, int]:
    text = content.decode(codec, errors="replace")
    return text, text.count("\ufffd")


def decode_body(content: bytes, content_type: str | None) -> str:
    """Decode a response body to text, the way a Chinese government page needs it.

    Order: the Content-Type charset, a BOM, ``<meta charset>`` / ``<meta http-equiv>`` /
    ``<?xml encoding?>`` in the first 4 KB, charset_normalizer detection, then UTF-8 with
    replacement. GB2312/GBK are read as GB18030. When a candidate produces more than a
    couple of replacement characters the next one is tried, so a wrong header loses to a
    meta tag that decodes cleanly; a page that is valid UTF-8 is read as UTF-8 even when
    a GB charset is declared. Returns "" for non-text media types (images, PDF, ...).
    """
    if not content:
        return ""
    if content_type and not is_text_type(content_type):
        return ""
    header_match = _HEADER_CHARSET.search(content_type or "")
    header = _normalise_charset(header_match.group(1)) if header_match else None
    bom = _bom_charset(content)
    meta = _declared_in_document(content)
    non_ascii = not content.isascii()

    candidates: list[str | None] = [header, bom, meta]
    if header in _WEAK_HEADER and non_ascii:
        candidates = [bom, meta, header]  # a Latin-1 header on a Chinese page is a default
    if non_ascii and any(c == "gb18030" for c in candidates if c):
        try:
            return content.decode("utf-8-sig")  # valid UTF-8 with CJK is never accidental
        except UnicodeDecodeError:
            pass
    tried: dict[str, tuple[str, int]] = {}
    for codec in [*candidates, "detect", "utf-8-sig"]:
        if codec == "detect":
            codec = _detected(content) if non_ascii else "utf-8-sig"
        if codec is None or codec in tried:
            continue
        try:
            tried[codec] = _replacements(content, codec)
        except LookupError:
            continue
        if tried[codec][1] <= _TOLERATED_REPLACEMENTS:
            return tried[codec][0]
    return min(tried.values(), key=lambda pair: pair[1])[0]
