"""site.search (站内搜索) from the collect stage's try (``workbench.fetch.search_probe``).

A homepage without a search box, a search whose results page does not list a title taken
from the site itself, and a results page that answers with an HTTP error are findings. A
search box the workbench cannot drive (a script submits it, a POST form, results filled in
by script) and a try that got no answer give no verdict; nor does a site whose homepage was
not read (check.incomplete judges it) or that was not tried (``website.search.enabled``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workbench.facts import Facts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_links import judged_sites
from workbench.models import Finding
from workbench.rules.schema import Rules


@register
class SiteSearch(Indicator):
    """site.search: no search box on the homepage, or a search that does not find the site's
    own information (see module doc)."""

    id = "site.search"
    family = "website"
    title = "站内搜索不可用"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        for site in judged_sites(facts):
            tried: Mapping[str, Any] = getattr(site, "search", None) or {}
            status = tried.get("status")
            if status == "no_box":
                problem = rules.website.search.problem_no_box
            elif status == "no_result":
                problem = rules.website.search.problem_no_result.format(
                    query=tried.get("query", "")
                )
            elif status == "failed":
                problem = rules.website.search.problem_failed.format(
                    status=tried.get("http_status", "")
                )
            else:
                continue  # working, scripted, unchecked or not tried: no verdict
            yield website_finding(
                facts,
                site.website,
                **self.verdict(rules.website.search),
                key="search",
                problem=problem,
                evidence_url=str(tried.get("url") or tried.get("page") or site.website.url),
                detail=dict(tried),
            )
