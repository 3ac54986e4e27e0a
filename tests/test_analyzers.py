"""The page analyzers: registered explicitly, and an analyzer that raises makes its page an
incomplete read (check.incomplete), never a silent None that an indicator reads as absent."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from servers import serve
from test_page_pool import HTML, SETTINGS, _news_site

import workbench.extract.analyzers as analyzers
from workbench.extract.analyzers import PAGE_ANALYZERS, AnalyzerError, analyze
from workbench.extract.cms import SCRIPT_UNREAD
from workbench.extract.columns import discover_columns
from workbench.facts import Facts
from workbench.fetch.site_crawl import crawl_website
from workbench.indicators import run_indicators
from workbench.models import Inventory, Website
from workbench.pages import PageSignals
from workbench.rules import load_rules

AS_OF = date(2022, 9, 30)


def test_the_analyzers_are_listed_in_one_place() -> None:
    assert list(PAGE_ANALYZERS) == [
        "column_signals", "identity", "wording", "guide", "channels", "messages",
        "row_times", "policy_page", "personal_info", "hidden_links",
    ]  # fmt: skip
    # one declared field of the page's signals per analyzer, in the same order
    assert [f.name for f in fields(PageSignals)] == list(PAGE_ANALYZERS)
    root = lxml.html.fromstring("<html><body><p>首页</p></body></html>")
    signals = analyze(root, "http://example.gov.cn/")
    assert signals.identity is not None and signals.channels is not None
    assert signals.guide is None and signals.messages == []  # ran, found nothing


def _crashing(where: str) -> Any:
    original = PAGE_ANALYZERS["messages"]

    def messages(root: lxml.html.HtmlElement, url: str) -> Any:
        if url.rstrip("/").endswith(where):
            raise ValueError("odd table")
        return original(root, url)

    return messages


def test_an_analyzer_that_raises_is_named_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(analyzers.PAGE_ANALYZERS, "messages", _crashing("/board"))
    root = lxml.html.fromstring("<html><body><table><tr><td>留言</td></tr></table></body></html>")
    with pytest.raises(AnalyzerError, match="messages") as excinfo:
        analyze(root, "http://example.gov.cn/board")
    assert excinfo.value.name == "messages" and "odd table" in excinfo.value.cause


def _judge(monkeypatch: pytest.MonkeyPatch, where: str) -> tuple[Any, list[Any], str]:
    """The site crawled with the messages analyzer crashing on the page at ``where``, and the
    quarterly check's findings (columns discovered as the pipeline does)."""
    monkeypatch.setitem(analyzers.PAGE_ANALYZERS, "messages", _crashing(where))
    rules = load_rules()
    with serve(_news_site()) as base:
        site = Website("市测试局", "测试网", base + "/", "部门网站")
        crawl = crawl_website(site, SETTINGS, AS_OF)  # read on this thread: the patch applies
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), [site], []), sites=[crawl.facts])
    facts.columns = discover_columns(crawl.facts, [], rules, AS_OF)
    return crawl.facts, run_indicators(facts, rules), base


def _kinds(found: list[Any]) -> set[tuple[str, str, bool]]:
    return {(f.indicator, f.target_kind, f.veto) for f in found}


def test_a_crash_on_the_homepage_is_an_incomplete_check_never_a_veto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, found, _ = _judge(monkeypatch, "")
    assert not site.homepage.ok and "页面内容分析出错" in (site.homepage.error or "")
    assert "messages" in (site.homepage.error or "") and not site.crawl_complete
    assert _kinds(found) == {("check.incomplete", "website", False)}


def test_a_crash_on_a_list_page_leaves_its_column_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    _, clean, _ = _judge(monkeypatch, "/no-such-page")
    site, found, base = _judge(monkeypatch, "/news")
    unread = [p for p in site.pages if p.script_list == SCRIPT_UNREAD]
    assert [p.url for p in unread] == [base + "/news/"]
    assert "页面内容分析出错" in unread[0].script_note
    assert site.homepage.ok and not site.crawl_complete
    # nothing is judged on what the crash kept from us (as when a worker process dies on a
    # page: the incomplete crawl withholds the whole-site verdicts) ...
    assert _kinds(found) - _kinds(clean) == {("check.incomplete", "column", False)}
    # ... but the column only that page showed (the homepage's link names it, no navigation
    # does) is a lead for the reviewer: what the workbench could not read
    lead = next(f for f in found if f.target_kind == "column")
    assert (lead.target, lead.evidence_url, lead.detail["column"]) == (
        base + "/news/", base + "/news/", "通知公告",
    )  # fmt: skip
    assert lead.problem.startswith("“通知公告”栏目列表页未能读取，待人工核查（页面内容分析出错")
    assert "messages" in lead.detail["reason"]
    assert [f for f in found if f.target_kind == "column"] == [lead]


def test_a_crash_on_an_article_names_no_column(monkeypatch: pytest.MonkeyPatch) -> None:
    _, clean, _ = _judge(monkeypatch, "/no-such-page")
    site, found, base = _judge(monkeypatch, "/news/3.html")
    assert [p.url for p in site.pages if p.script_list == SCRIPT_UNREAD] == [base + "/news/3.html"]
    assert not [f for f in found if f.target_kind == "column" and f.target != base + "/news/"]
    assert _kinds(found) <= _kinds(clean)


def test_column_pages_answering_5xx_or_garbage_are_leads_never_blank() -> None:
    """List pages the homepage's navigation names: one answers 500 (after the retry), one
    garbled bytes. Each is an unread column (check.incomplete), never a blank one."""
    rows = "".join(
        f'<li><a href="/news/{i}.html">通知{i}</a><span>2022-09-2{i}</span></li>'
        for i in range(1, 6)
    )
    nav = (
        '<div class="nav"><a href="/news/">通知公告</a><a href="/zcwj/">政策文件</a>'
        '<a href="/zcjd/">政策解读</a></div>'
    )
    routes: dict[str, Any] = {
        "/": (200, HTML, f"<html><head><title>首页</title></head><body>{nav}<ul>{rows}</ul></body></html>"),
        "/news/": (200, HTML, f"<html><head><title>通知公告</title></head><body>{nav}<ul>{rows}</ul></body></html>"),
        "/zcwj/": (500, HTML, "<html><body>Internal Server Error</body></html>"),
        "/zcjd/": (200, HTML, bytes(range(256)) * 40),
    }  # fmt: skip
    for i in range(1, 6):
        routes[f"/news/{i}.html"] = (
            200,
            HTML,
            "<html><body><p>发布日期：2022-09-21</p></body></html>",
        )
    rules = load_rules()
    with serve(routes) as base:
        site = Website("市测试局", "测试网", base + "/", "部门网站")
        crawl = crawl_website(site, SETTINGS, AS_OF)
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), [site], []), sites=[crawl.facts])
    facts.columns = discover_columns(crawl.facts, [], rules, AS_OF)
    found = run_indicators(facts, rules)
    columns = {f.target: f for f in found if f.target_kind == "column"}
    assert {(f.indicator, f.veto) for f in columns.values()} == {("check.incomplete", False)}
    assert set(columns) == {base + "/zcwj/", base + "/zcjd/"}
    assert (
        columns[base + "/zcwj/"].problem == "“政策文件”栏目列表页未能读取，待人工核查（HTTP 500）"
    )
    assert columns[base + "/zcjd/"].problem.startswith("“政策解读”栏目列表页未能读取")
    assert "乱码" in columns[base + "/zcjd/"].detail["reason"]
    assert not crawl.facts.crawl_complete  # what the garbled page hid withholds site verdicts
