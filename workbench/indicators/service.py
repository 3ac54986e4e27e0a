"""site.service_poor (服务不实用, veto) and who is scored on 办事服务.

国办秘函〔2019〕19号 and its usual reading (indicators.md): no 办事服务 at all; or ≥ 5 办事指南
each missing 4 or more of the key element categories (事项名称、设定依据、申请条件、办理材料、
办理地点、办理时间、联系电话、办理流程; 缺失4类及以上); where a site offers fewer than 5 guides,
all of them missing 4 or more.

Whether a site must offer 办事服务 comes from the inventory's 对外服务职能 column
(``Website.serves_public``: 有/无, empty → 有 for a 门户网站, 无 otherwise), never from not
finding a service link. A site whose unit has no external service functions is judged on
neither clause (a library's 服务指南 is not a 政务服务 guide) and is scored out of 75 × 4/3.
"No 办事服务" is judged only after a complete crawl.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_checks import ok_pages
from workbench.indicators.site_links import judged_sites
from workbench.models import Finding, Website
from workbench.pages import Page
from workbench.rules.schema import Rules


def guide_pages(site: SiteFacts) -> list[tuple[str, list[str]]]:
    """(URL, missing element categories) of every 办事指南 page of the site."""
    out = []
    for page in ok_pages(site):
        guide = page.signals.guide
        if isinstance(guide, Mapping):
            out.append((page.final_url or page.url, list(guide.get("missing") or [])))
    return out


def has_service(site: SiteFacts) -> bool:
    """True when any crawled page links 办事服务 or is a 办事指南."""
    return any(_links_service(page) or page.signals.guide is not None for page in ok_pages(site))


def _links_service(page: Page) -> bool:
    channels = page.signals.channels
    return bool(channels and channels.get("service"))


def sites_without_service(websites: Sequence[Website]) -> set[str]:
    """Inventory URLs of the sites whose unit has no external service functions (对外服务职能:
    无, or empty for a site that is not a 门户网站): scored out of 75 × 4/3."""
    return {w.url for w in websites if not w.serves_public}


@register
class ServicePoor(Indicator):
    """site.service_poor (veto): see the module doc."""

    id = "site.service_poor"
    family = "website"
    title = "服务不实用"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        veto = rules.website.service_poor.veto
        min_guides = rules.website.service_poor.min_guides
        min_missing = rules.website.service_poor.min_missing
        for site in judged_sites(facts):
            if not site.website.serves_public:
                continue
            guides = guide_pages(site)
            poor = [(url, missing) for url, missing in guides if len(missing) >= min_missing]
            few_all_poor = 0 < len(guides) < min_guides and len(poor) == len(guides)
            if len(poor) >= min_guides or few_all_poor:
                rule = rules.website.service_poor
                template = (
                    rule.problem_guides if len(poor) >= min_guides else rule.problem_few_guides
                )
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="guides",
                    problem=template.format(
                        count=len(poor), total=len(guides), min_missing=min_missing
                    ),
                    evidence_url=poor[0][0],
                    detail={
                        "guides": [[u, m] for u, m in poor[:20]],
                        "count": len(poor),
                        "total": len(guides),
                        "min_missing": min_missing,
                    },
                )
            if site.crawl_complete and not has_service(site):
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="no_service",
                    problem=rules.website.service_poor.problem_no_service,
                    detail={"pages_checked": len(site.pages), "kind": site.website.kind},
                )
