"""The wording dictionary (表述错误词典): known wrong forms of standard expressions in text.

The dictionary lives in the rules (``wording.categories``, ``wording.entries`` and the
office's own ``wording.extra``; see ``workbench/rules/wording.yaml``). Matching is exact and
precision-first: a wrong form is reported only where it is not part of one of its entry's
``allow`` expressions (a longer, correct wording such as 原国土资源部), and text is not
normalised beyond what it is. Aho-Corasick (pyahocorasick) finds every form in one pass.

Usage::

    dictionary = WordingDictionary.from_rules(rules)
    for hit in dictionary.find("坚持新冠肺炎疫情防空工作", serious_only=True):
        hit.entry.wrong, hit.entry.right, hit.entry.category, hit.start
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ahocorasick

from workbench.errors import RulesError

if TYPE_CHECKING:
    from workbench.rules.schema import Rules

__all__ = ["WordingDictionary", "WordingEntry", "WordingHit"]

CONTEXT_CHARS = 12  # characters shown either side of a hit


@dataclass(frozen=True)
class WordingEntry:
    """One wrong form and its correction. ``allow``: longer correct expressions containing it."""

    wrong: str
    right: str
    category: str
    serious: bool
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class WordingHit:
    """A wrong form found at ``text[start:end]``; ``context`` is the text around it."""

    entry: WordingEntry
    start: int
    end: int
    context: str


def _entry(raw: Any, categories: Mapping[str, bool], where: str) -> WordingEntry:
    if not isinstance(raw, Mapping):
        raise RulesError(f"表述错误词典{where}应为包含 wrong、right、category 的映射。")
    wrong = str(raw.get("wrong") or "").strip()
    right = str(raw.get("right") or "").strip()
    category = str(raw.get("category") or "").strip()
    if not wrong or not right:
        raise RulesError(f"表述错误词典{where}缺少错误写法 wrong 或正确写法 right。")
    if wrong == right:
        raise RulesError(f"表述错误词典{where}的错误写法与正确写法相同：“{wrong}”。")
    if category not in categories:
        known = "、".join(categories)
        raise RulesError(f"表述错误词典{where}的类别“{category}”未定义，可用类别：{known}。")
    allow_raw = raw.get("allow") or []
    if isinstance(allow_raw, str):
        allow_raw = [allow_raw]
    allow = tuple(str(a).strip() for a in allow_raw if str(a).strip())
    for expression in allow:
        if wrong not in expression:
            raise RulesError(
                f"表述错误词典{where}的允许写法“{expression}”不包含错误写法“{wrong}”。"
            )
    return WordingEntry(wrong, right, category, categories[category], allow)


class WordingDictionary:
    """Exact matching of wrong forms, guarded by each entry's allowed longer expressions."""

    def __init__(self, entries: Iterable[WordingEntry]) -> None:
        self.entries: list[WordingEntry] = []
        self._automaton: Any = ahocorasick.Automaton()
        by_wrong: dict[str, list[WordingEntry]] = {}
        for entry in entries:
            if entry not in by_wrong.setdefault(entry.wrong, []):
                by_wrong[entry.wrong].append(entry)
                self.entries.append(entry)
        for wrong, group in by_wrong.items():
            self._automaton.add_word(wrong, tuple(group))
        self._empty = not by_wrong
        if not self._empty:
            self._automaton.make_automaton()

    @classmethod
    def from_rules(cls, rules: Rules) -> WordingDictionary:
        """The dictionary under ``wording`` in the rules (``entries`` then ``extra``).

        Raises :class:`RulesError` (a Chinese message) on a malformed entry.
        """
        wording = rules.wording
        categories = {name: value.serious for name, value in wording.categories.items()}
        entries = []
        for key, raw_list in (("entries", wording.entries), ("extra", wording.extra)):
            for index, raw in enumerate(raw_list, start=1):
                entries.append(_entry(raw, categories, f"“wording.{key}”第{index}项"))
        return cls(entries)

    def _allowed(self, text: str, start: int, entry: WordingEntry) -> bool:
        """True when the hit at ``start`` lies inside one of the entry's allowed expressions."""
        for expression in entry.allow:
            offset = expression.find(entry.wrong)
            while offset >= 0:
                begin = start - offset
                if begin >= 0 and text[begin : begin + len(expression)] == expression:
                    return True
                offset = expression.find(entry.wrong, offset + 1)
        return False

    def find(self, text: str, *, serious_only: bool = False) -> list[WordingHit]:
        """Every wrong form in ``text``, in text order (``serious_only``: serious categories)."""
        if self._empty or not text:
            return []
        hits: list[WordingHit] = []
        for end_index, group in self._automaton.iter(text):
            for entry in group:
                if serious_only and not entry.serious:
                    continue
                start = end_index - len(entry.wrong) + 1
                if self._allowed(text, start, entry):
                    continue
                context = text[max(0, start - CONTEXT_CHARS) : end_index + 1 + CONTEXT_CHARS]
                hits.append(WordingHit(entry, start, end_index + 1, context))
        hits.sort(key=lambda h: (h.start, h.end))
        return hits
