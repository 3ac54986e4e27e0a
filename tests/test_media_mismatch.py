"""media.mismatch (关停整合 signals) on synthetic facts: 认证主体 and names against the unit,
duplicates on one platform, closed accounts that still publish; and closed accounts are not
judged stale. Check time 2022-09-30 (Asia/Shanghai calendar days)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from workbench.facts import AccountFacts, Facts
from workbench.fetch.feeds import FeedResult, Post
from workbench.indicators import run_indicators
from workbench.indicators.media_mismatch import core
from workbench.models import Finding, Inventory, MediaAccount, Website
from workbench.rules import get, load_rules

AS_OF = date(2022, 9, 30)
RULES = load_rules()
SUFFIXES = get(RULES, "media.mismatch.unit_suffixes")
SITES = [
    Website("示范市人民政府办公室", "示范市人民政府门户网站", "http://127.0.0.1:8001/", "门户网站"),
    Website("市水利局", "示范市水利局", "http://127.0.0.1:8002/", "部门网站"),
    Website("市统计局", "示范市统计局", "http://127.0.0.1:8003/", "部门网站"),
    Website("市教育局", "示范市教育局", "http://127.0.0.1:8004/", "部门网站"),
    Website("市卫健委", "示范市卫生健康委员会", "http://127.0.0.1:8005/", "部门网站"),
    Website("示范高新区", "示范高新区管理委员会网站", "http://127.0.0.1:8006/", "门户网站"),
    Website("市资规局", "示范市自然资源和规划局", "http://127.0.0.1:8007/", "部门网站"),
]


def acct(unit: str, name: str, platform: str = "微信公众号", *, newest: int = 2,
         certified: str | None = None, closed: bool = False) -> AccountFacts:  # fmt: skip
    account = MediaAccount(unit, name, platform, f"http://127.0.0.1:9000/{name}", True, True,
                           certified_by=certified, closed=closed)  # fmt: skip
    moment = datetime.combine(AS_OF - timedelta(days=newest), datetime.min.time())
    posts = [Post(moment - timedelta(days=3 * i), "工作动态", "", "") for i in range(5)]
    return AccountFacts(account, FeedResult(account.feed, "rss", True, posts, 200))


def mismatches(*items: AccountFacts) -> list[tuple[str, str]]:
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), SITES, [i.account for i in items]),
                  [], list(items))  # fmt: skip
    found: list[Finding] = run_indicators(facts, RULES, ["media.mismatch"])
    return sorted((f.target, f.detail["signal"]) for f in found)


def test_unit_cores() -> None:
    assert {core(n, SUFFIXES) for n in ("示范市水利局", "市水利局", "水利局")} == {"水利"}
    assert (
        core("示范市市场监督管理局", SUFFIXES) == core("市市场监督管理局", SUFFIXES) == "市场监督"
    )
    assert (
        core("示范市人民政府办公室", SUFFIXES) == core("示范市人民政府门户网站", SUFFIXES) == "示范"
    )
    assert core("枫林市", SUFFIXES) == core("枫林市人民政府", SUFFIXES) == "枫林"


def test_certified_body_against_the_unit_and_its_sites() -> None:
    fine = [
        acct("市水利局", "示范水利", certified="示范市水利局"),
        acct("市资规局", "示范资规", certified="示范市自然资源和规划局"),  # the site's name
        acct("示范高新区", "示范高新发布", certified="示范高新区管理委员会"),
        acct("示范市人民政府办公室", "示范发布", certified="示范市人民政府办公室"),
        acct("市卫健委", "示范卫健", certified=None),  # not given: not judged
    ]
    assert mismatches(*fine) == []
    bad = acct("市水利局", "示范水利", certified="示范市某文化传媒有限公司")
    assert mismatches(bad) == [("示范水利", "certified")]


def test_names_pointing_to_another_unit() -> None:
    assert mismatches(acct("市水利局", "示范统计")) == [("示范统计", "name")]
    assert mismatches(acct("市统计局", "示范统计"), acct("市卫健委", "示范健康教育"),
                      acct("市水利局", "水利之窗"), acct("市卫健委", "健康示范")) == []  # fmt: skip


def test_duplicates_of_one_unit_on_one_platform() -> None:
    a, b = acct("示范高新区", "示范高新发布"), acct("示范高新区", "示范高新官方发布")
    assert mismatches(a, b) == [("示范高新发布", "duplicate"), ("示范高新官方发布", "duplicate")]
    assert mismatches(a, acct("示范高新区", "示范高新发布", "微博")) == []  # another platform
    assert mismatches(a, acct("市水利局", "示范高新官方发布")) != [
        ("示范高新发布", "duplicate")
    ]  # another unit: no duplicate (the name signal may speak)


def test_closed_accounts_that_still_publish() -> None:
    # newest post on the quarter's first day (91 days back) → still publishing in the window
    assert mismatches(acct("市水利局", "示范水利", newest=91, closed=True)) == [
        ("示范水利", "closed")
    ]
    assert mismatches(acct("市水利局", "示范水利", newest=92, closed=True)) == []
    assert mismatches(acct("市水利局", "示范水利", newest=2)) == []  # open


def test_closed_accounts_are_not_judged_stale() -> None:
    silent = acct("市水利局", "示范水利", newest=200, closed=True)
    inv = Inventory(Path("."), SITES, [silent.account])
    found = run_indicators(Facts("2022Q3", AS_OF, inv, [], [silent]), RULES)
    assert found == []
    gone = replace(silent, feed=FeedResult(silent.account.feed, "rss", False, [], 404))
    assert run_indicators(Facts("2022Q3", AS_OF, inv, [], [gone]), RULES) == []
    open_one = replace(silent, account=replace(silent.account, closed=False))
    assert {
        f.indicator for f in run_indicators(Facts("2022Q3", AS_OF, inv, [], [open_one]), RULES)
    } >= {"media.stale"}
