"""Pairing interpretations (政策解读) with their documents (政策文件), across all sites.

Methods, strongest first (an interpretation gets the document of the strongest method; a
document may have several interpretations):

1. ``link``: one page links to the other (相关解读 / 相关文件 / 原文 / 关联稿件), by URL;
2. ``docno``: the interpretation cites the document's 文号;
3. ``title``: a 《title》 the interpretation cites equals one of the document's title keys
   (:func:`title_keys`: the full title, the inner title of 关于印发《…》的通知, without
   (试行)/(暂行), without the leading place name);
4. ``fuzzy``: rapidfuzz ``ratio`` between the interpretation's title stripped of form words
   (一图读懂, 政策解读, 答记者问 …) and a document key, at least ``FUZZY_THRESHOLD`` (measured
   in docs/accuracy.md), and only when one document clearly wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from workbench.extract.docno import parse_docno
from workbench.extract.documents import DocumentFacts
from workbench.extract.interpretations import InterpretationFacts, cited_titles
from workbench.urls import normalize_url

FUZZY_THRESHOLD = 80.0
FUZZY_MARGIN = 5.0  # the best document must beat the runner-up by this much
METHOD_RANK = {"link": 0, "docno": 1, "title": 2, "fuzzy": 3}

_PUNCT = re.compile(r"[\s\u3000\xa0《》〈〉<>＜＞“”\"'‘’「」『』：:，,。.、;；!！?？·・\-—_]+")
_PAREN = str.maketrans({"（": "(", "）": ")", "［": "[", "］": "]", "【": "[", "】": "]"})
_WRAPPER = re.compile(
    r"^(?:.{0,30}?)关于(?:印发|公布|发布|转发|颁布|修订|废止|修改)?(?P<inner>.+?)的"
    r"(?:通知|决定|公告|通告|意见|批复)$"
)
_ISSUER = re.compile(r"^.{1,30}?关于(?P<rest>.{4,})$")  # 国务院办公厅关于X → X
_QUALIFIER = re.compile(
    r"\((?:试行|暂行|修订|修订稿|征求意见稿|\d{4}年?修订|\d{4}年版|第[一二三四五六七八九十]+批)\)"
)
_PLACE = re.compile(
    r"^[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|盟|县|区|旗)(?=[\u4e00-\u9fff]{6})"
)
_FORM_WORDS = re.compile(
    r"一图读懂|一图看懂|一图了解|一图解读|图解|图说|图文解读|政策解读|解读材料|解读|"
    r"政策问答|问答|答记者问|负责人就|有关负责人|就|答问|访谈|专访|新闻发布会|发布会|音频|视频|"
    r"动漫|H5|文字|权威|热点"
)


def normalize_title(title: str) -> str:
    """A title for comparison: punctuation, quotes, brackets 《》〈〉<> and spaces removed,
    full-width parentheses made ASCII."""
    return _PUNCT.sub("", title.translate(_PAREN))


def title_keys(title: str) -> set[str]:
    """The normalised forms a document can be cited by (full, inner, shortened)."""
    keys: set[str] = set()
    candidates = [title, *cited_titles(title)]
    plain = normalize_title(title)
    m = _WRAPPER.match(plain)
    if m:
        candidates.append(m["inner"])
    issuer = _ISSUER.match(plain)
    if issuer:
        candidates.append(issuer["rest"])
    for cand in candidates:
        key = normalize_title(cand)
        if not key:
            continue
        keys.add(key)
        short = _QUALIFIER.sub("", key)
        keys.add(short)
        for k in (key, short):
            without_place = _PLACE.sub("", k)
            if len(without_place) >= 6:
                keys.add(without_place)
    return {k for k in keys if len(k) >= 4}


def interpretation_core(title: str) -> str:
    """An interpretation's title without its form words (一图读懂《X》 → X), normalised."""
    return _FORM_WORDS.sub("", normalize_title(title))


@dataclass(frozen=True)
class Pairing:
    """Interpretation ``interpretations[interp]`` explains document ``documents[doc]``."""

    doc: int
    interp: int
    method: str
    score: float = 100.0


@dataclass(frozen=True, slots=True)
class _Urls:
    """A document's or interpretation's URLs normalised once (not once per pair)."""

    own: str
    site: str
    related: frozenset[str]

    @staticmethod
    def of(item: DocumentFacts | InterpretationFacts) -> _Urls:
        related = frozenset(normalize_url(r.url) for r in item.related)
        return _Urls(normalize_url(item.url), normalize_url(item.site_url), related)


def _doc_number_keys(doc: DocumentFacts) -> set[str]:
    parsed = parse_docno(doc.number)
    return {parsed.canonical} if parsed else set()


def fuzzy_score(
    doc: DocumentFacts, interp: InterpretationFacts, keys: set[str] | None = None
) -> float:
    """The best rapidfuzz ratio between the interpretation's core title (and cited titles)
    and the document's title keys (``keys``, computed when not given), 0–100."""
    keys = title_keys(doc.title) if keys is None else keys
    return _best_ratio(_cores(interp), keys)


def _cores(interp: InterpretationFacts) -> list[str]:
    """What :func:`fuzzy_score` compares of an interpretation: its core title and its cited
    titles, normalised, the empty ones left out."""
    core = [interpretation_core(interp.title), *(normalize_title(t) for t in interp.cited_titles)]
    return [a for a in core if a]


def _best_ratio(cores: Sequence[str], keys: Iterable[str]) -> float:
    return max((fuzz.ratio(a, b) for a in cores for b in keys), default=0.0)


def _closeness(
    doc: DocumentFacts, interp: InterpretationFacts, doc_site: str, interp_site: str
) -> tuple[int, int]:
    """Tie-break between equally matched documents: same site first, then the nearest date
    (an interpretation published before its document counts as far)."""
    same_site = doc_site == interp_site
    if doc.published is None or interp.published is None:
        gap = 10**6
    else:
        days = (interp.published - doc.published).days
        gap = days if days >= 0 else 10**5 - days
    return (0 if same_site else 1, gap)


class _FuzzyIndex:
    """Every document's title keys in one list, so that an interpretation is scored against
    all of them in one rapidfuzz ``cdist`` call (the same ``ratio``, as float64)."""

    def __init__(self, doc_keys: Sequence[set[str]]) -> None:
        self.count = len(doc_keys)
        self.keys = [key for keys in doc_keys for key in keys]
        self.owner = np.array([i for i, keys in enumerate(doc_keys) for _ in keys], dtype=np.intp)

    def scores(self, cores: Sequence[str]) -> list[float]:
        """Each document's :func:`fuzzy_score` for an interpretation's ``cores``."""
        best = np.zeros(self.count, dtype=np.float64)  # no key, no core: 0.0
        if cores and self.keys:
            ratios = process.cdist(cores, self.keys, scorer=fuzz.ratio, dtype=np.float64)
            np.maximum.at(best, self.owner, ratios.max(axis=0))
        return [float(score) for score in best]


def pair_interpretations(
    documents: Sequence[DocumentFacts],
    interpretations: Sequence[InterpretationFacts],
    *,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
) -> list[Pairing]:
    """For each interpretation, the document it explains (if any), by the strongest method.

    The documents' URLs, 文号 and title keys are indexed once, so an interpretation finds the
    documents it links, cites by 文号 or by 《title》 by lookup (not by testing every
    document); only an interpretation none of them matches is scored against every
    document's keys (``fuzzy``)."""
    out: list[Pairing] = []
    doc_keys = [title_keys(d.title) for d in documents]
    doc_urls = [_Urls.of(d) for d in documents]
    by_own: dict[str, list[int]] = {}  # a document's URL → the documents at it
    by_related: dict[str, list[int]] = {}  # a URL → the documents that link it
    by_number: dict[str, list[int]] = {}  # a canonical 文号 → its documents
    by_key: dict[str, list[int]] = {}  # a title key → the documents it names
    for i, d in enumerate(documents):
        by_own.setdefault(doc_urls[i].own, []).append(i)
        for url in doc_urls[i].related:
            by_related.setdefault(url, []).append(i)
        for number in _doc_number_keys(d):
            by_number.setdefault(number, []).append(i)
        for key in doc_keys[i]:
            by_key.setdefault(key, []).append(i)
    fuzzy = _FuzzyIndex(doc_keys)
    for j, interp in enumerate(interpretations):
        cited: set[str] = set()
        for t in interp.cited_titles:
            cited |= title_keys(t)
        own = _Urls.of(interp)
        linked = set(by_related.get(own.own, ()))
        for url in own.related:
            linked.update(by_own.get(url, ()))
        numbered = {i for n in set(interp.doc_numbers) for i in by_number.get(n, ())}
        titled = {i for key in cited for i in by_key.get(key, ())}
        # the strongest method for each document: a link, then a 文号, then a title
        found = [
            (("link", 100.0) if i in linked else ("docno", 100.0) if i in numbered
             else ("title", 100.0), i)
            for i in sorted(linked | numbered | titled)
        ]  # fmt: skip

        def close(i: int, interp: InterpretationFacts = interp, site: str = own.site) -> Any:
            return _closeness(documents[i], interp, doc_urls[i].site, site)

        if found:
            rank = min(METHOD_RANK[m[0]] for m, _ in found)
            best = [(m, i) for m, i in found if METHOD_RANK[m[0]] == rank]
            (method, score), index = min(best, key=lambda b: close(b[1]))
            out.append(Pairing(index, j, method, score))
            continue
        scores = fuzzy.scores(_cores(interp))
        top = max(scores, default=0.0)
        if not scores or top < fuzzy_threshold:
            continue
        # as sorting by (-score, closeness) would: the closest of the best-scored documents,
        # and the runner-up's score (the same score when two documents share the best)
        tied = [i for i, score in enumerate(scores) if score == top]
        runner_up = top if len(tied) > 1 else max((s for s in scores if s != top), default=0.0)
        if top - runner_up >= FUZZY_MARGIN:
            out.append(Pairing(min(tied, key=close), j, "fuzzy", top))
    return out


@dataclass(frozen=True)
class LinkGap:
    """A paired document and interpretation whose pages do not both link to each other."""

    doc: int
    interp: int
    doc_links_interp: bool
    interp_links_doc: bool


def link_gaps(
    documents: Sequence[DocumentFacts],
    interpretations: Sequence[InterpretationFacts],
    pairings: Sequence[Pairing],
) -> list[LinkGap]:
    """Pairs where the document does not link to the interpretation or the other way round
    (the rule: the document and its interpretation link to each other)."""
    gaps = []
    for p in pairings:
        doc, interp = documents[p.doc], interpretations[p.interp]
        d2i = any(normalize_url(r.url) == normalize_url(interp.url) for r in doc.related)
        i2d = any(normalize_url(r.url) == normalize_url(doc.url) for r in interp.related)
        if not (d2i and i2d):
            gaps.append(LinkGap(p.doc, p.interp, d2i, i2d))
    return gaps


def link_report(
    documents: Sequence[DocumentFacts],
    interpretations: Sequence[InterpretationFacts],
    pairings: Sequence[Pairing],
) -> list[dict[str, str]]:
    """The 文件与解读未相互关联 report, one row per gap, with Chinese headers."""
    rows = []
    for gap in link_gaps(documents, interpretations, pairings):
        doc, interp = documents[gap.doc], interpretations[gap.interp]
        rows.append(
            {
                "文号": doc.number or "",
                "文件标题": doc.title,
                "文件网址": doc.url,
                "解读标题": interp.title,
                "解读网址": interp.url,
                "文件链接解读": "是" if gap.doc_links_interp else "否",
                "解读链接文件": "是" if gap.interp_links_doc else "否",
            }
        )
    return rows
