"""site.answer_slow: 政务咨询 messages answered later than the local limit, in working days.

Local rules (many provinces: 5 working days; some 1 day for simple questions) ask for an
answer within ``max_working_days`` working days (chinese-calendar: holidays off, 调休 days
on; see ``indicators.policy.is_working_day``). Only 政务咨询 columns count, as for the
3-month veto (``interaction.consultation_page``: 信访、举报、访谈、征集 … are not), and the
veto itself (site.interaction_poor) is untouched: a message can be both.

A message counts when it was answered within the check window (the quarter's first day to
the check time) more than the limit after it was asked, or when it is still unanswered at
the check time (an answer dated after it was not there), was asked within ``lookback_days``
and has waited more than the limit so far. A message without an asked date is never judged.
One finding per site: the number of late messages and the longest wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from workbench.extract.page_facts import iso_date
from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.interaction import consultation_page
from workbench.indicators.policy import working_days_after
from workbench.indicators.site_checks import ok_pages
from workbench.indicators.site_links import judged_sites
from workbench.models import Finding
from workbench.quarter import parse_quarter
from workbench.rules.schema import Rules


def late_answers(
    site: SiteFacts, as_of: date, window: date, rules: Rules
) -> list[tuple[int, str, str | None, str]]:
    """(working days waited, asked, answered or None, page URL) of each late message, the
    longest wait first; ``window`` is the check window's first day (see module doc)."""
    limit = rules.website.answer_slow.max_working_days
    lookback = rules.website.answer_slow.lookback_days
    excluded = rules.website.interaction_poor.excluded_title_words
    out: dict[tuple[str, str | None], tuple[int, str, str | None, str]] = {}
    for page in ok_pages(site):
        if not consultation_page(page, site, excluded):
            continue
        for message in page.signals.messages or []:
            asked, answered = iso_date(message.get("asked")), iso_date(message.get("answered"))
            if asked is None or asked > as_of:
                continue
            if answered is not None and answered > as_of:
                answered = None  # not yet answered at the check time
            if answered is None:
                if (as_of - asked).days > lookback:
                    continue
                waited = working_days_after(asked, as_of)
            else:
                if answered < window:
                    continue  # answered before this quarter: an earlier check's business
                waited = working_days_after(asked, answered)
            if waited > limit:
                key = (asked.isoformat(), answered.isoformat() if answered else None)
                out.setdefault(key, (waited, *key, page.final_url or page.url))
    return sorted(out.values(), key=lambda m: (-m[0], m[1]))


@register
class AnswerSlow(Indicator):
    """site.answer_slow: 政务咨询 messages answered (or waiting) longer than the local limit."""

    id = "site.answer_slow"
    family = "website"
    title = "留言答复不及时"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        limit = rules.website.answer_slow.max_working_days
        window = parse_quarter(facts.quarter).start
        for site in judged_sites(facts):
            late = late_answers(site, facts.as_of, window, rules)
            if not late:
                continue
            longest = late[0]
            yield website_finding(
                facts,
                site.website,
                **self.verdict(rules.website.answer_slow),
                key="answer_slow",
                problem=rules.website.answer_slow.problem.format(
                    limit=limit, count=len(late), longest=longest[0]
                ),
                evidence_url=longest[3],
                detail={
                    "count": len(late),
                    "longest_working_days": longest[0],
                    "limit": limit,
                    "messages": [list(m) for m in late[:20]],
                    "as_of": facts.as_of.isoformat(),
                },
            )
