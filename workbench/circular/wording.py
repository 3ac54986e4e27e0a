"""How findings read in the circular, in the seed's manner.

- ``clean_problem``: a problem text as the circular prints it: evidence URLs left out
  (findings.csv keeps them) and never a bracket inside a bracket.
- ``column_phrase`` / ``named_columns``: column findings named by their columns, as the seed
  does: 市文旅广体局网站“全域旅游”、“湘潭阳光娱乐节”、“文化艺术”等专题存在较多栏目超期未更新.
- ``Subject`` / ``joined_subjects``: several targets sharing one problem in one clause:
  市教育局、市资规局网站“调查征集”栏目超期未更新.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.circular.targets import FindingRecord
from workbench.circular.text import CircularSettings

_URL_RE = re.compile(r"https?://[^\s（）()，,；;、“”\"'<>]+")
_EMPTY_BRACKETS_RE = re.compile(r"[（(]\s*[)）]")
_DANGLING_COLON_RE = re.compile(r"[：:]\s*(?=[（(；;，,。]|$)")
_OPENING = "（("
_CLOSING = "）)"
_PAUSES = "：:，,、；;（("


def has_url(text: str) -> bool:
    return bool(_URL_RE.search(text))


def strip_urls(text: str) -> str:
    """``text`` without URLs, and without the brackets or colon a URL leaves behind:
    ``链接无法打开：http://x/a.html（HTTP 404）`` → ``链接无法打开（HTTP 404）``."""
    text = _URL_RE.sub("", text)
    text = _EMPTY_BRACKETS_RE.sub("", text)
    return _DANGLING_COLON_RE.sub("", text).strip()


def flatten_brackets(text: str) -> str:
    """No bracket inside a bracket: an inner ``（…）`` becomes ``，…`` within the outer one.

    ``合计5个（达到5个）`` stays; ``（合计5个（达到5个））`` → ``（合计5个，达到5个）``.
    """
    out: list[str] = []
    depth = 0
    for char in text:
        if char in _OPENING:
            depth += 1
            if depth == 1:
                out.append(char)
            elif out and out[-1] not in _PAUSES:
                out.append("，")
        elif char in _CLOSING and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(char)
        else:
            out.append(char)
    return "".join(out)


def clean_problem(text: str) -> str:
    """A problem text as the circular prints it (no URL, no nested bracket)."""
    return flatten_brackets(strip_urls(text)).rstrip("。；;，, ")


def fill(template: str, **values: object) -> str:
    """``template`` with each ``{key}`` replaced (other braces left as they are)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def column_phrase(record: FindingRecord, settings: CircularSettings) -> str | None:
    """The phrase that names ``record``'s column (``column_phrases``), or None when the
    indicator has none or the finding does not name its column."""
    phrases = settings.column_phrases.get(record.indicator)
    if phrases is None or not record.column_name:
        return None
    category = str(record.detail.get("category") or "")
    if category in settings.topic_categories and phrases.get("topics"):
        return phrases["topics"]
    return phrases.get("columns") or None


def _oldest_first(record: FindingRecord) -> tuple[bool, str]:
    newest = record.detail.get("newest")
    return (newest is not None, str(newest or ""))


def named_columns(phrase: str, records: Sequence[FindingRecord], settings: CircularSettings) -> str:
    """``phrase`` naming the columns of ``records``, the longest without an update first.

    {names}: up to ``named_columns_max`` names, each in “”, joined by 、; {more}: 等N个
    when there are more columns than names shown; {many}: 较多 from ``many_columns``
    columns on; {count}: how many columns.
    """
    ordered = sorted(records, key=_oldest_first)
    count = len({r.target for r in ordered})
    names = list(dict.fromkeys(r.column_name for r in ordered))
    shown = names[: max(settings.named_columns_max, 1)]
    many = settings.many_columns
    return fill(
        phrase,
        names="、".join(f"“{name}”" for name in shown),
        more=f"等{count}个" if count > len(shown) else "",
        many="较多" if many and count >= many else "",
        count=count,
    )


@dataclass(frozen=True)
class Subject:
    """Who a sentence is about: ``unit`` + ``name`` + ``tail`` (市教育局 + "" + 网站,
    湘乡市 + “湘乡文旅” + 抖音号)."""

    unit: str
    name: str = ""
    tail: str = ""

    @property
    def text(self) -> str:
        return f"{self.unit}{self.name}{self.tail}"


def joined_subjects(subjects: Sequence[Subject]) -> str:
    """Subjects joined by 、, a unit or tail said once for neighbours that share it:
    市教育局、市资规局网站; 湘潭市人民政府“湘潭发布”、“湘潭人社”微信公众号."""
    parts: list[str] = []
    last = len(subjects) - 1
    for i, subject in enumerate(subjects):
        same_unit = i > 0 and subjects[i - 1].unit == subject.unit and bool(subject.name)
        same_tail = i < last and subjects[i + 1].tail == subject.tail
        unit = "" if same_unit else subject.unit
        tail = "" if same_tail else subject.tail
        parts.append(f"{unit}{subject.name}{tail}")
    return "、".join(parts)
