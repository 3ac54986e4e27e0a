"""policy.unlinked: a policy document and its interpretation not linked both ways.

国办发〔2018〕94号 asks that a document and its interpretation materials be published
together and linked to each other (circulars: 文件页面未关联解读). Pairs come from
:func:`workbench.indicators.policy.interpretations_by_document` (link, 文号, 《title》,
fuzzy); each page's links are the ones it names as related (相关解读, 相关文件, 原文, and
inline 解读/图解/原文 links: ``extract.documents.related_links``). A document published within
``lookback_days`` before the check time whose page and whose interpretation's page do not
both link to the other is one finding, naming both URLs. Documents known only from the
inventory's documents.csv (no page read) are not judged. Dates are Asia/Shanghai calendar
dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from workbench.extract.matching import link_gaps
from workbench.facts import Facts
from workbench.indicators.base import Indicator, register
from workbench.indicators.policy import doc_finding, interpretations_by_document
from workbench.models import Finding
from workbench.rules.schema import Rules


@register
class PolicyUnlinked(Indicator):
    """policy.unlinked: one finding per document whose pages and its interpretation's pages do
    not link to each other (see module doc)."""

    id = "policy.unlinked"
    family = "policy"
    title = "文件与解读未相互关联"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        if not facts.documents or not facts.interpretations:
            return
        lookback = rules.policy.unlinked.lookback_days
        which = rules.policy.unlinked.which.model_dump()
        earliest = facts.as_of - timedelta(days=lookback)
        pairings, by_doc = interpretations_by_document(facts, rules)
        judged = [p for p in pairings if facts.interpretations[p.interp] in by_doc.get(p.doc, [])]
        gaps: dict[int, list[tuple[str, str, str]]] = {}
        for gap in link_gaps(facts.documents, facts.interpretations, judged):
            doc, interp = facts.documents[gap.doc], facts.interpretations[gap.interp]
            if doc.source != "page" or not doc.url or not interp.url:
                continue
            if doc.published is None or not earliest <= doc.published <= facts.as_of:
                continue
            side = (
                "both"
                if not (gap.doc_links_interp or gap.interp_links_doc)
                else ("doc" if not gap.doc_links_interp else "interp")
            )
            gaps.setdefault(gap.doc, []).append((side, interp.url, interp.title))
        for index, found in gaps.items():
            doc = facts.documents[index]
            side, interp_url, _ = found[0]
            yield doc_finding(
                facts,
                doc,
                **self.verdict(rules.policy.unlinked),
                key=f"unlinked:{doc.url}",
                problem=rules.policy.unlinked.problem.format(
                    which=which.get(side, side), doc_url=doc.url, interp_url=interp_url
                ),
                detail={
                    "title": doc.title,
                    "document_url": doc.url,
                    "interpretations": [
                        {"url": u, "title": t, "missing": which.get(s, s)} for s, u, t in found
                    ],
                    "published": doc.published.isoformat() if doc.published else None,
                },
            )
