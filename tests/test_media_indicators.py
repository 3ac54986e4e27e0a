"""The new-media indicators as pure functions over facts: each threshold and one step either
side. Check time 2022-09-30 (Asia/Shanghai calendar days)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from workbench.facts import AccountFacts, Facts
from workbench.fetch.feeds import FeedResult, Post
from workbench.fetch.post_links import LinkCheck, newest_post_urls
from workbench.indicators import run_indicators
from workbench.indicators.media import longest_gap
from workbench.models import Finding, Inventory, MediaAccount
from workbench.rules import load_rules, merge

AS_OF = date(2022, 9, 30)
RULES = load_rules()
FEED = "http://127.0.0.1:8002/feed"


def at(days: int) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=days), datetime.min.time()).replace(hour=9)


def account(
    *days: int | None,
    interaction: bool | None = True,
    titles: list[str] | None = None,
    summaries: list[str] | None = None,
    links: list[LinkCheck] | None = None,
) -> AccountFacts:
    acc = MediaAccount("湘乡市", "湘乡发布", "微信公众号", FEED, True, interaction)
    posts = [
        Post(
            None if d is None else at(d),
            (titles or [])[i] if i < len(titles or []) else "工作动态",
            f"http://127.0.0.1:8002/p/{i}.html",
            (summaries or [])[i] if i < len(summaries or []) else "",
        )
        for i, d in enumerate(days)
    ]
    return AccountFacts(acc, FeedResult(FEED, "rss", True, posts, 200), links or [])


def judge(item: AccountFacts, rules: dict[str, Any] = RULES) -> list[Finding]:
    inv = Inventory(Path("."), [], [item.account])
    return run_indicators(Facts("2022Q3", AS_OF, inv, [], [item]), rules)


def ids(found: list[Finding]) -> list[str]:
    return sorted(f.indicator for f in found)


# -- media.stale at the 14-day boundary --------------------------------------------------------


@pytest.mark.parametrize(("days", "stale"), [(13, False), (14, False), (15, True)])
def test_stale_boundary(days: int, stale: bool) -> None:
    assert ids(judge(account(days, days + 5))) == (["media.stale"] if stale else [])


# -- media.interaction_poor ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interaction", "expected"),
    [(False, ["media.interaction_poor"]), (None, []), (True, [])],
)
def test_interaction_poor_only_when_inventory_says_none(
    interaction: bool | None, expected: list[str]
) -> None:
    found = judge(account(1, 3, interaction=interaction))
    assert ids(found) == expected
    if expected:
        assert found[0].veto and found[0].problem == "未提供有效互动功能"


# -- media.update_slow ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "zombie"), [(90, False), (91, True), (200, True)])
def test_zombie_accounts_after_90_days(days: int, zombie: bool) -> None:
    found = judge(account(days, days + 10))
    expected = ["media.stale", "media.update_slow"] if zombie else ["media.stale"]
    assert ids(found) == expected
    if zombie:
        slow = next(f for f in found if f.indicator == "media.update_slow")
        assert not slow.veto and "僵尸账号" in slow.problem
        assert slow.detail["days_since"] == days


def test_zombie_rule_can_be_switched_off() -> None:
    rules = merge(RULES, {"media": {"update_slow": {"zombie_enabled": False}}})
    assert ids(judge(account(120), rules)) == ["media.stale"]


def test_frequency_rule_is_off_by_default_and_judges_the_longest_interval() -> None:
    posts = account(1, 9, 30)  # intervals inside the quarter: 21 days, 8 days, 1 day to as_of
    assert ids(judge(posts)) == []
    weekly = merge(RULES, {"media": {"update_slow": {"enabled": True, "max_gap_days": 7}}})
    found = judge(posts, weekly)
    assert ids(found) == ["media.update_slow"]
    assert found[0].detail["gap_days"] == 21
    assert found[0].problem == "监测期内两次更新最长间隔21天，不符合每7天至少更新1次的要求"
    assert ids(judge(account(1, 8, 15, 22), weekly)) == []  # exactly every 7 days
    assert ids(judge(account(8, 15), weekly)) == ["media.update_slow"]  # 8 days to as_of
    assert ids(judge(account(7, 14), weekly)) == []


def test_longest_gap_counts_only_inside_the_window() -> None:
    start = date(2022, 7, 1)
    assert longest_gap([], start, AS_OF) is None
    assert longest_gap([date(2022, 6, 1)], start, AS_OF) is None
    assert longest_gap([date(2022, 9, 20), date(2022, 6, 1)], start, AS_OF) == (
        10,
        date(2022, 9, 20),
        AS_OF,
    )
    found = longest_gap([date(2022, 7, 2), date(2022, 8, 1), date(2022, 9, 29)], start, AS_OF)
    assert found is not None and found[0] == 59


# -- media.security ------------------------------------------------------------------------------


def test_serious_wording_in_titles_and_summaries_is_a_veto() -> None:
    item = account(
        1,
        2,
        3,
        titles=["全市新冠肺炎疫情防空工作会议召开", "国庆出行提示", "一线干部再接再励"],
        summaries=["", "深入开展两学一作学习教育", ""],
    )
    found = [f for f in judge(item) if f.indicator == "media.security"]
    assert [(f.detail["wrong"], f.detail["field"]) for f in found] == [
        ("新冠肺炎疫情防空", "title"),
        ("两学一作", "summary"),
    ]  # 再接再励 is a general typo, not a serious error
    first = found[0]
    assert first.veto and first.evidence_url == "http://127.0.0.1:8002/p/0.html"
    assert first.problem == (
        "重要提法错误：“新冠肺炎疫情防空”应为“新冠肺炎疫情防控”（http://127.0.0.1:8002/p/0.html）"
    )
    assert len({f.finding_id for f in found}) == 2


def test_security_precision_and_dates() -> None:
    clean = account(1, 2, titles=["原国土资源部有关同志来我市调研", "新冠肺炎疫情防控工作"])
    assert ids(judge(clean)) == []
    current = account(1, titles=["国土资源部发布通知"])
    assert ids(judge(current)) == ["media.security"]
    future = account(-3, 1, titles=["新冠肺炎疫情防空"])  # dated after the check time
    assert ids(judge(future)) == []


# -- media.link_broken ---------------------------------------------------------------------------


def link(url: str, opened: bool | None, status: int | None, reason: str) -> LinkCheck:
    return LinkCheck(url, "标题", opened, status, reason)


def test_link_broken_reads_the_collected_checks() -> None:
    checks = [
        link("http://127.0.0.1:8002/p/0.html", True, 200, "HTTP 200"),
        link("http://127.0.0.1:8002/p/1.html", False, 404, "HTTP 404"),
        link("http://127.0.0.1:8002/p/2.html", None, None, "连接超时"),
        link("weixin://dl/x", None, None, "不是网页链接，未检查"),
    ]
    found = judge(account(1, links=checks))
    assert ids(found) == ["media.link_broken"]
    assert found[0].problem == "链接无法打开：http://127.0.0.1:8002/p/1.html（HTTP 404）"
    assert not found[0].veto and found[0].key == "http://127.0.0.1:8002/p/1.html"
    off = merge(RULES, {"media": {"link_broken": {"enabled": False}}})
    assert ids(judge(account(1, links=checks), off)) == []


def test_no_link_judged_when_nothing_answered() -> None:
    """Every link failing without a response (our network down) accuses no account."""
    checks = [link(f"http://127.0.0.1:9/p/{i}", False, None, "域名解析失败") for i in range(3)]
    assert ids(judge(account(1, links=checks))) == []


def test_newest_post_urls_order_and_limit() -> None:
    posts = [
        Post(at(5), "旧", "http://127.0.0.1/p/old"),
        Post(None, "无日期", "http://127.0.0.1/p/undated"),
        Post(at(1), "新", "http://127.0.0.1/p/new"),
        Post(at(2), "重复", "http://127.0.0.1/p/new"),
        Post(at(3), "无链接", ""),
    ]
    assert newest_post_urls(posts, 10) == [
        ("http://127.0.0.1/p/new", "新"),
        ("http://127.0.0.1/p/old", "旧"),
        ("http://127.0.0.1/p/undated", "无日期"),
    ]
    assert newest_post_urls(posts, 1) == [("http://127.0.0.1/p/new", "新")]
