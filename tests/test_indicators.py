"""The foundation's indicators as pure functions: thresholds and one step either side."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from workbench.facts import AccountFacts, Facts, ProbeFact, SiteFacts
from workbench.fetch.feeds import FeedResult, Post
from workbench.indicators import REGISTRY, run_indicators
from workbench.models import Inventory, MediaAccount, Website
from workbench.pages import DatedItem, Page
from workbench.rules import load_rules
from workbench.scoring import score_targets

AS_OF = date(2022, 9, 30)
RULES = load_rules()
SITE = Website("市水利局", "水利局网站", "http://127.0.0.1:8001/", "部门网站")
ACCOUNT = MediaAccount("湘乡市", "湘乡文旅", "抖音号", "http://127.0.0.1:8002/feed", True)


def site_facts(*dates: date | None, ok: bool = True, second: list[Page] | None = None) -> SiteFacts:
    items = [DatedItem(f"新闻{i}", f"{SITE.url}a/{i}.html", d) for i, d in enumerate(dates)]
    page = Page(
        SITE.url, SITE.url, 200 if ok else 500, None if ok else "HTTP 500", "首页", items=items
    )
    return SiteFacts(SITE, page, second or [])


def account_facts(*dates: date | None, ok: bool = True, registered: bool = True) -> AccountFacts:
    acc = MediaAccount(ACCOUNT.unit, ACCOUNT.name, ACCOUNT.platform, ACCOUNT.feed, registered)
    posts = [
        Post(
            datetime.combine(d, datetime.min.time()) + timedelta(hours=9) if d else None,
            "帖子",
            f"http://127.0.0.1:8002/p/{i}",
        )
        for i, d in enumerate(dates)
    ]
    feed = FeedResult(
        ACCOUNT.feed,
        "rss",
        ok,
        posts if ok else [],
        200 if ok else 500,
        None if ok else "数据源无法访问：HTTP 500",
    )
    return AccountFacts(acc, feed)


def check(
    sites: list[SiteFacts] = (), accounts: list[AccountFacts] = (), probes: list[ProbeFact] = ()
) -> list:  # type: ignore[assignment]
    inv = Inventory(Path("."), [s.website for s in sites] or [SITE], [a.account for a in accounts])
    facts = Facts("2022Q3", AS_OF, inv, list(sites), list(accounts), list(probes))
    return run_indicators(facts, RULES)


def ids(findings: list) -> list[str]:
    return sorted(f.indicator for f in findings)


@pytest.mark.parametrize(("days", "stale"), [(13, False), (14, False), (15, True), (40, True)])
def test_homepage_stale_boundary(days: int, stale: bool) -> None:
    found = check([site_facts(AS_OF - timedelta(days=days), AS_OF - timedelta(days=60))])
    assert ids(found) == (["site.homepage_stale"] if stale else [])
    if stale:
        assert found[0].veto and found[0].detail["days_since"] == days
        assert "监测时间点前2周内首页未更新" in found[0].problem


def test_future_dates_do_not_count_as_updates() -> None:
    found = check([site_facts(AS_OF + timedelta(days=3), AS_OF - timedelta(days=20))])
    assert ids(found) == ["site.homepage_stale"]


def test_undated_homepage_counts_as_not_updated_and_shell_uses_second_level() -> None:
    assert ids(check([site_facts(None, None)])) == ["site.homepage_stale"]
    fresh = Page("u", "u", 200, None, "", items=[DatedItem("t", "u/1", AS_OF - timedelta(days=2))])
    assert ids(check([site_facts(None, second=[fresh])])) == []


def test_failed_homepage_is_incomplete_never_stale() -> None:
    found = check([site_facts(ok=False)])
    assert ids(found) == ["check.incomplete"] and not found[0].veto
    assert "HTTP 500" in found[0].problem


@pytest.mark.parametrize(("days", "stale"), [(13, False), (14, False), (15, True)])
def test_media_stale_boundary(days: int, stale: bool) -> None:
    found = check(accounts=[account_facts(AS_OF - timedelta(days=days))])
    assert ids(found) == (["media.stale"] if stale else [])
    if stale:
        assert found[0].platform == "抖音号" and found[0].target == "湘乡文旅"


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (account_facts(ok=False), "HTTP 500"),
        (account_facts(), "未返回任何信息"),
        (account_facts(None, None), "均无发布时间"),
        (account_facts(AS_OF + timedelta(days=5)), "没有监测时间点之前"),
    ],
)
def test_unjudgeable_accounts_are_incomplete(facts: AccountFacts, words: str) -> None:
    found = check(accounts=[facts])
    assert ids(found) == ["check.incomplete"] and words in found[0].problem


def test_unregistered_is_reported_even_when_fresh() -> None:
    found = check(accounts=[account_facts(AS_OF, registered=False)])
    assert ids(found) == ["media.unregistered"] and not found[0].veto


def probes(ok: int, failed: int) -> list[ProbeFact]:
    start = datetime(2022, 9, 24, 0, 0)
    total = ok + failed
    step = timedelta(days=7) / total
    return [ProbeFact(SITE.url, start + i * step, i >= failed) for i in range(total)]


@pytest.mark.parametrize(
    ("ok", "failed", "expected"),
    [(133, 7, "site.unreachable"), (134, 6, None), (100, 0, "check.incomplete")],
)
def test_unreachable_from_a_week_of_probes(ok: int, failed: int, expected: str | None) -> None:
    found = [
        f
        for f in check([site_facts(AS_OF)], probes=probes(ok, failed))
        if f.indicator != "site.homepage_stale"
    ]
    assert ids(found) == ([expected] if expected else [])


def test_scoring_verdicts() -> None:
    sites = [site_facts(AS_OF - timedelta(days=20))]
    accounts = [account_facts(AS_OF), account_facts(ok=False)]
    accounts[1].account = MediaAccount("市水利局", "水利发布", "微博", "x", True)
    found = check(sites, accounts)
    inv = Inventory(Path("."), [SITE], [a.account for a in accounts])
    scores = score_targets(inv, found, RULES).set_index("target")
    assert scores.loc[SITE.url, "qualified"] == "false" and scores.loc[SITE.url, "veto"] == "true"
    assert scores.loc["湘乡文旅", "qualified"] == "true"
    assert scores.loc["水利发布", "qualified"] == "incomplete"


def test_registry_ids_are_contract_ids() -> None:
    from workbench.models import INDICATOR_TITLES

    assert set(REGISTRY) <= set(INDICATOR_TITLES)
