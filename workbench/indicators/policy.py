"""Policy-interpretation indicators (政策解读): missing forms and late interpretations.

Both read ``facts.documents`` and ``facts.interpretations`` (all sites: an interpretation may
sit on another site than its document), pair them with
:func:`workbench.extract.matching.pair_interpretations`, and judge 规范性文件 published within
``lookback_days`` before the check time. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from workbench.extract.documents import DocumentFacts
from workbench.extract.interpretations import InterpretationFacts
from workbench.extract.matching import Pairing, pair_interpretations
from workbench.facts import Facts
from workbench.indicators.base import Indicator, register
from workbench.models import Finding
from workbench.rules.schema import Rules
from workbench.urls import normalize_url


def is_working_day(day: date) -> bool:
    """True on a working day of the official holiday calendar (``chinese_calendar``: public
    holidays off, adjusted weekend workdays 调休 on).

    Outside the years ``chinese_calendar`` knows (it raises ``NotImplementedError``; 2004–2026
    in the installed version) this falls back to Monday–Friday, without holidays.
    """
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def working_days_after(start: date, end: date) -> int:
    """Working days d with ``start < d <= end`` (0 when ``end <= start``); see
    :func:`is_working_day` for the calendar and its Monday–Friday fallback."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def _unit_of(facts: Facts, doc: DocumentFacts) -> str:
    """The document's 牵头起草部门 / 发布机构, else the unit of the website it sits on."""
    if doc.unit:
        return doc.unit
    key = normalize_url(doc.site_url)
    for site in facts.inventory.websites:
        if key and normalize_url(site.url) == key:
            return site.unit
    return ""


def _in_scope(doc: DocumentFacts, as_of: date, lookback_days: int) -> bool:
    """A 规范性文件 published within ``lookback_days`` before ``as_of`` (undated: not judged)."""
    if not doc.normative or doc.published is None:
        return False
    return as_of - timedelta(days=lookback_days) <= doc.published <= as_of


def interpretations_by_document(
    facts: Facts, rules: Rules
) -> tuple[list[Pairing], dict[int, list[InterpretationFacts]]]:
    """The pairings, and document index → its interpretations (published by the check time)."""
    threshold = float(rules.policy.matching.fuzzy_threshold)
    pairings = pair_interpretations(
        facts.documents, facts.interpretations, fuzzy_threshold=threshold
    )
    by_doc: dict[int, list[InterpretationFacts]] = {}
    for p in pairings:
        interp = facts.interpretations[p.interp]
        if interp.published is None or interp.published <= facts.as_of:
            by_doc.setdefault(p.doc, []).append(interp)
    return pairings, by_doc


def missing_forms_problem(
    present: Iterable[str],
    *,
    required: int,
    counted: Sequence[str],
    listed: Sequence[str],
    template: str,
) -> str | None:
    """The problem text for a document with the forms ``present``, or None when enough.

    ``缺问答、访谈、图解、音频、H5等其中2种形式的政策解读``; forms already present are left out.
    """
    have = {f for f in present if f in counted}
    if len(have) >= required:
        return None
    missing = [f for f in listed if f not in have]
    return template.format(missing="、".join(missing), count=required - len(have))


def doc_finding(facts: Facts, doc: DocumentFacts, **fields: Any) -> Finding:
    """A finding on ``doc``; the files its facts were read from (and, for a file listed with
    no page of its own, the page that links it) are named in the detail."""
    if doc.attachments or doc.linked_from:
        detail = dict(fields.get("detail") or {})
        detail["attachments"] = list(doc.attachments)
        if doc.linked_from:
            detail["linked_from"] = doc.linked_from
        fields["detail"] = detail
    return Finding(
        quarter=facts.quarter,
        unit=_unit_of(facts, doc),
        target_kind="document",
        target=doc.target,
        evidence_url=doc.url,
        **fields,
    )


@register
class InterpretationMissing(Indicator):
    """policy.interpretation_missing: a 规范性文件 with fewer interpretation forms than required.

    Forms are those of every paired interpretation; plain 文字 does not count (rules:
    ``counted_forms``). The problem names the missing forms of ``listed_forms`` and how many
    more are needed.
    """

    id = "policy.interpretation_missing"
    family = "policy"
    title = "政策解读形式不足"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        if not facts.documents:
            return
        required = rules.policy.interpretation_missing.required_forms
        counted = list(rules.policy.interpretation_missing.counted_forms)
        listed = list(rules.policy.interpretation_missing.listed_forms)
        lookback = rules.policy.interpretation_missing.lookback_days
        template = rules.policy.interpretation_missing.problem
        _, by_doc = interpretations_by_document(facts, rules)
        for index, doc in enumerate(facts.documents):
            if not _in_scope(doc, facts.as_of, lookback):
                continue
            interps = by_doc.get(index, [])
            present = {f for it in interps for f in it.forms}
            problem = missing_forms_problem(
                present, required=required, counted=counted, listed=listed, template=template
            )
            if problem is None:
                continue
            yield doc_finding(
                facts,
                doc,
                indicator=self.id,
                veto=rules.policy.interpretation_missing.veto,
                problem=problem,
                detail={
                    "title": doc.title,
                    "published": doc.published.isoformat() if doc.published else None,
                    "forms_present": sorted(present),
                    "interpretations": [it.url for it in interps],
                    "normative_reasons": list(doc.normative_reasons),
                    "required_forms": required,
                },
            )


@register
class InterpretationLate(Indicator):
    """policy.interpretation_late: the first interpretation of a document came out more than
    ``max_working_days`` working days after it (working days: :func:`working_days_after`).

    Judged on the earliest dated interpretation; a document without any is a matter for
    policy.interpretation_missing. Undated pages are not judged.
    """

    id = "policy.interpretation_late"
    family = "policy"
    title = "政策解读发布不及时"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        if not facts.documents or not facts.interpretations:
            return
        limit = rules.policy.interpretation_late.max_working_days
        normative_only = rules.policy.interpretation_late.normative_only
        lookback = rules.policy.interpretation_late.lookback_days
        _, by_doc = interpretations_by_document(facts, rules)
        for index, interps in by_doc.items():
            doc = facts.documents[index]
            if doc.published is None or (normative_only and not doc.normative):
                continue
            if not facts.as_of - timedelta(days=lookback) <= doc.published <= facts.as_of:
                continue
            dated = sorted((it.published, it.url) for it in interps if it.published is not None)
            if not dated:
                continue
            first_day, first_url = dated[0]
            days = working_days_after(doc.published, first_day)
            if days <= limit:
                continue
            yield doc_finding(
                facts,
                doc,
                indicator=self.id,
                veto=rules.policy.interpretation_late.veto,
                problem=rules.policy.interpretation_late.problem.format(
                    interpreted=first_day.isoformat(),
                    published=doc.published.isoformat(),
                    days=days,
                    limit=limit,
                ),
                detail={
                    "title": doc.title,
                    "interpretation": first_url,
                    "working_days": days,
                    "limit": limit,
                },
            )
