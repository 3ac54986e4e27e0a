"""media.link_broken: links in an account's posts that do not open.

The links were opened in the collect stage (``AccountFacts.link_checks``, see
:mod:`workbench.fetch.post_links`); this indicator only reads the outcomes. A link counts as
broken only when it is dead beyond doubt (HTTP 4xx/5xx after retries, an unknown domain, a
redirect loop); timeouts, connection failures and links not opened are not judged. When no
link of the whole check got an HTTP response, the network was down on our side and nothing
is judged.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.facts import Facts
from workbench.indicators.base import Indicator, register
from workbench.indicators.media import account_finding
from workbench.models import Finding
from workbench.rules.schema import Rules


@register
class MediaLinkBroken(Indicator):
    id = "media.link_broken"
    family = "media"
    title = "链接或菜单不可用"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        if not rules.media.link_broken.enabled:
            return
        checks = [c for item in facts.accounts for c in item.link_checks]
        if not any(c.responded for c in checks):
            return  # no link answered at all: our network, not the accounts
        template = rules.media.link_broken.problem
        veto = rules.media.link_broken.veto
        for item in facts.accounts:
            for link in item.link_checks:
                if link.opened is not False:
                    continue
                yield account_finding(
                    facts,
                    item,
                    indicator=self.id,
                    veto=veto,
                    key=link.url,
                    problem=template.format(url=link.url, reason=link.reason),
                    evidence_url=link.url,
                    detail={
                        "url": link.url,
                        "status": link.status,
                        "reason": link.reason,
                        "post_title": link.post_title,
                        "checked_at": link.checked_at.isoformat(sep=" "),
                    },
                )
