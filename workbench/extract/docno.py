"""文号 (document numbers): parsing the shapes real sites show, and one canonical form.

Shapes handled (all seen in ``../shared/corpus/govpages/refdata``):

- ``机关代字〔YYYY〕N号`` with the brackets ``〔〕 [ ] ［］ 【】 ( ) （） ｛｝``, stray spaces
  (``豫政 〔2005〕7号``, ``渝府办发〔 2022 〕96 号``), zero-width characters (U+200B…U+200D,
  U+2060, U+FEFF), full-width digits, a missing ``号`` at the end (``晋政办发〔2012〕18``), a
  misplaced one (``晋政发〔2014〕号16``) and junk after it (``渝府发〔2000〕48号〔〕``);
- orders ``…令第N号`` (``国令第706号``, ``省政府令 第90号``, ``重庆市人民政府令第 359 号``);
- ``…YYYY年第N号`` and ``…YYYY年N号`` (``市工商行政管理局2018年第1号``, ``2022年62号``);
- bare serials ``…第N号`` (``豫政 第24号``).

A leading label (``发文字号：``, ``文号：``) is dropped. Canonical forms: ``代字〔YYYY〕N号``,
``…令第N号``, ``…YYYY年第N号``, ``…第N号``. Matching uses :func:`docno_key`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_OPEN = "〔［[【(（｛{〖"
_CLOSE = "〕］]】)）｝}〗"
_CLEAN_TABLE = str.maketrans(
    {
        **{ch: None for ch in ZERO_WIDTH},
        **{ch: "〔" for ch in _OPEN},
        **{ch: "〕" for ch in _CLOSE},
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "\u3000": " ",
        "\xa0": " ",
    }
)
_CJK = r"\u3400-\u9fff"
_LABEL_RE = re.compile(r"^(?:发文字号|发文文号|文件字号|文件编号|文号|字号|发文号)[:：]?")
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_SERIAL = r"(?P<serial>\d{1,5})"
# Tried in order; the organ (机关代字) is the run of CJK characters right before the number.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("standard", re.compile(rf"(?P<org>[{_CJK}]{{1,24}})〔{_YEAR}〕第?{_SERIAL}号?")),
    ("standard", re.compile(rf"(?P<org>[{_CJK}]{{1,24}})〔{_YEAR}〕号{_SERIAL}")),
    ("order", re.compile(rf"(?P<org>[{_CJK}]{{0,23}}令)第?{_SERIAL}号")),
    ("year_serial", re.compile(rf"(?P<org>[{_CJK}]{{0,24}}?){_YEAR}年第?{_SERIAL}号")),
    ("serial", re.compile(rf"(?P<org>[{_CJK}]{{1,24}}?)第{_SERIAL}号")),
)
# Words that precede a 文号 in running text and are not part of the organ's 代字.
_LEAD_WORDS = re.compile(
    r"^.*(?:印发|转发|根据|按照|依据|依照|参照|执行|落实|贯彻|废止|修订|实施|详见|文件|"
    r"发布|公布|通知|意见|办法|规定|决定|以及|按|的)(?=.)"
)


@dataclass(frozen=True)
class DocNumber:
    """A parsed 文号. ``kind``: standard / order / year_serial / serial; ``year`` is None for
    orders and bare serials."""

    raw: str
    org: str
    year: int | None
    serial: int
    kind: str

    @property
    def canonical(self) -> str:
        if self.kind == "standard":
            return f"{self.org}〔{self.year}〕{self.serial}号"
        if self.kind == "year_serial":
            return f"{self.org}{self.year}年第{self.serial}号"
        return f"{self.org}第{self.serial}号"

    @property
    def normative_code(self) -> bool:
        """True when the 代字 marks a 规范性文件 series (沪府规, 湘政办规, 苏政规 …)."""
        return self.kind == "standard" and self.org.endswith("规")

    def __str__(self) -> str:
        return self.canonical


_DOUBLED = re.compile(r"(〔)〔+|(〕)〕+")


def clean_docno_text(text: str) -> str:
    """Zero-width characters and spaces removed, brackets unified to 〔〕 (a doubled one, as
    OCR reads ``]】``, counts once), digits ASCII."""
    return _DOUBLED.sub(r"\1\2", re.sub(r"\s+", "", text.translate(_CLEAN_TABLE)))


def _build(kind: str, m: re.Match[str], raw: str) -> DocNumber | None:
    # Lead words (印发, 通知, 的 …) and a stray 号 left by a scraper are not part of the 代字.
    org = _LABEL_RE.sub("", _LEAD_WORDS.sub("", m["org"])).lstrip("号")
    if not org and kind != "year_serial":
        return None
    year = int(m["year"]) if "year" in m.groupdict() and m["year"] else None
    serial = int(m["serial"])
    if serial <= 0:
        return None
    return DocNumber(raw=raw, org=org, year=year, serial=serial, kind=kind)


def parse_docno(text: str | None) -> DocNumber | None:
    """The 文号 in a field's value (``发文字号：晋政办发[2009]44号`` → ``晋政办发〔2009〕44号``).

    The value is expected to hold one 文号 (possibly with a label and junk around it);
    ``None`` when it holds none (empty, ``无``, ``发文字号：``).
    """
    if not text:
        return None
    cleaned = _LABEL_RE.sub("", clean_docno_text(text))
    for kind, pattern in _PATTERNS:
        m = pattern.search(cleaned)
        if m is not None:
            found = _build(kind, m, text.strip())
            if found is not None:
                return found
    return None


def find_docnos(text: str) -> list[DocNumber]:
    """Every 文号 cited in running text, in order, without repeats (by :func:`docno_key`).

    Only the standard ``〔YYYY〕`` shape and orders (``令第N号``) are looked for: in prose the
    looser shapes (``第N号``) match too many other things. Spaces are removed first; an organ
    is cut at punctuation and after common lead words (印发, 根据, 的 …), as in parse_docno.
    """
    cleaned = clean_docno_text(text)
    out: list[DocNumber] = []
    seen: set[tuple[str, int | None, int, str]] = set()
    for kind, pattern in _PATTERNS[:3]:
        for m in pattern.finditer(cleaned):
            found = _build(kind, m, m.group(0))
            if found is not None and docno_key(found) not in seen:
                seen.add(docno_key(found))
                out.append(found)
    return out


def normalize_docno(text: str | None) -> str | None:
    """The canonical 文号 of a field's value, or None."""
    found = parse_docno(text)
    return found.canonical if found else None


def docno_key(number: DocNumber) -> tuple[str, int | None, int, str]:
    """What two 文号 must share to be the same document: organ, year, serial, kind."""
    return (number.org, number.year, number.serial, number.kind)
