"""Issue 17's website and policy checks on synthetic facts, each at its threshold and one step
either side: slow answers (working days), the two security leads, annual reports, site
search, 调查征集 activity and documents not linked to their interpretations."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workbench.extract.columns_model import ColumnFacts
from workbench.extract.documents import DocumentFacts, RelatedLink
from workbench.extract.interpretations import InterpretationFacts
from workbench.facts import Facts, SiteFacts
from workbench.indicators import REGISTRY
from workbench.indicators.policy import working_days_after
from workbench.models import Finding, Inventory, Website
from workbench.pages import DatedItem, Link, Page, PageSignals
from workbench.rules import load_rules, merge

RULES = load_rules()
AS_OF = date(2022, 9, 30)
HOME = "http://127.0.0.1:8001/"


def page(url: str, title: str = "页面", **extras: Any) -> Page:
    return Page(url, url, 200, None, title=title, signals=PageSignals(**extras))


def facts_for(
    pages: list[Page],
    *,
    kind: str = "门户网站",
    complete: bool = True,
    quarter: str = "2022Q3",
    as_of: date = AS_OF,
    links: list[Link] | None = None,
    search: dict[str, Any] | None = None,
) -> Facts:
    website = Website("示范市人民政府办公室", "示范市人民政府门户网站", HOME, kind)
    facts = Facts(quarter, as_of, Inventory(Path("."), websites=[website]))
    site = SiteFacts(website, Page(HOME, HOME, 200, None), pages=pages, links=links or [],
                     crawl_complete=complete)  # fmt: skip
    site.search = search or {}
    facts.sites.append(site)
    return facts


def run(indicator: str, facts: Facts, rules: dict[str, Any] | None = None) -> list[Finding]:
    return list(REGISTRY[indicator]().check(facts, rules or RULES))


# -- site.answer_slow ---------------------------------------------------------------------


def board(*messages: tuple[date, date | None], title: str = "咨询回复") -> list[Page]:
    rows = [{"asked": a.isoformat(), "answered": b.isoformat() if b else None} for a, b in messages]
    return [page(HOME + "hdjl/1.html", title=title, messages=rows)]


def test_working_days_of_the_fixtures() -> None:
    assert working_days_after(date(2022, 8, 1), date(2022, 8, 8)) == 5
    assert working_days_after(date(2022, 9, 22), AS_OF) == 6
    assert working_days_after(date(2022, 9, 9), date(2022, 9, 16)) == 4  # 中秋节 12 September


def test_answers_later_than_five_working_days() -> None:
    asked = date(2022, 8, 1)  # Monday
    assert run("site.answer_slow", facts_for(board((asked, date(2022, 8, 5))))) == []  # 4
    assert run("site.answer_slow", facts_for(board((asked, date(2022, 8, 8))))) == []  # 5
    (f,) = run("site.answer_slow", facts_for(board((asked, date(2022, 8, 9)))))  # 6
    assert not f.veto and f.points == 1 and f.key == "answer_slow"
    assert f.problem == "政务咨询类栏目留言答复超过5个工作日的有1条，最长等待6个工作日"
    assert f.evidence_url == HOME + "hdjl/1.html"


def test_unanswered_messages_count_with_their_wait_so_far() -> None:
    assert run("site.answer_slow", facts_for(board((date(2022, 9, 23), None)))) == []  # 5
    (f,) = run("site.answer_slow", facts_for(board((date(2022, 9, 22), None), (date(2022, 8, 1),
                                                      date(2022, 8, 9)))))  # fmt: skip
    assert f.detail["count"] == 2 and f.detail["longest_working_days"] == 6
    # an answer dated after the check time was not there at it
    (f,) = run("site.answer_slow", facts_for(board((date(2022, 9, 22), date(2022, 10, 9)))))
    assert f.detail["messages"][0][2] is None


def test_answer_slow_window_columns_and_local_limit() -> None:
    # answered late, but before the quarter: an earlier check's business
    assert run("site.answer_slow", facts_for(board((date(2022, 6, 1), date(2022, 6, 20))))) == []
    # 信访 is no 政务咨询 column; a message without an asked date is never judged
    assert (
        run("site.answer_slow", facts_for(board((date(2022, 8, 1), None), title="网上信访"))) == []
    )
    no_date = [page(HOME + "hdjl/2.html", messages=[{"asked": None, "answered": None}])]
    assert run("site.answer_slow", facts_for(no_date)) == []
    one_day = merge(RULES, {"website": {"answer_slow": {"max_working_days": 1}}})
    late = facts_for(board((date(2022, 8, 1), date(2022, 8, 3))))  # 2 working days
    (f,) = run("site.answer_slow", late, one_day)
    assert "超过1个工作日" in f.problem
    assert run("site.answer_slow", facts_for(board((date(2022, 8, 1), date(2022, 8, 2)))),
               one_day) == []  # fmt: skip


# -- site.privacy / site.hidden_link (leads) ----------------------------------------------


def test_personal_information_is_a_lead_per_page() -> None:
    info = {"counts": {"id_card": 2, "mobile": 1}, "samples": {"id_card": ["430***********1234"],
            "mobile": ["138****5678"]}}  # fmt: skip
    pages = [page(HOME + "gsgg/1.html", personal_info=info), page(HOME + "gsgg/2.html")]
    (f,) = run("site.privacy", facts_for(pages))
    assert f.lead and not f.veto and f.points == 0 and f.detail["lead_veto"] is True
    assert f.evidence_url == HOME + "gsgg/1.html"
    assert "身份证号2个、手机号码1个" in f.problem and "430***********1234" in f.problem
    later = page(HOME + "gsgg/3.html", personal_info=info)
    later.published = AS_OF + timedelta(days=1)
    assert run("site.privacy", facts_for([later])) == []
    capped = merge(RULES, {"website": {"privacy": {"max_pages": 1}}})
    two = [page(HOME + f"gsgg/{i}.html", personal_info=info) for i in range(2)]
    assert len(run("site.privacy", facts_for(two), capped)) == 1


def test_hidden_links_to_non_government_hosts_are_leads() -> None:
    hidden = [
        {"href": "http://www.bet-example.com/", "anchor": "点此进入", "how": "display:none"},
        {"href": "http://www.sx.gov.cn/", "anchor": "省政府", "how": "display:none"},
        {"href": "http://www.bshare.cn/", "anchor": "分享", "how": "display:none"},
    ]
    (f,) = run("site.hidden_link", facts_for([page(HOME + "a.html", hidden_links=hidden)]))
    assert f.lead and not f.veto and f.detail["lead_veto"] is True
    assert f.problem == (
        "页面存在隐藏链接（display:none），指向非政府网站：http://www.bet-example.com/"
        "（线索，待人工核实）"
    )
    assert f.evidence_url == HOME + "a.html"


def test_word_lists_match_anchors_and_hosts_of_non_government_links() -> None:
    links = [
        Link(HOME, "http://www.example.com/a", "澳门葡京娱乐", False),
        Link(HOME, "http://am-casino88.example.net/", "点击进入", False),
        Link(HOME, "http://www.hn.gov.cn/bocai", "打击博彩专项行动", False),  # government
        Link(HOME, "http://www.example.org/", "友情链接", False),
    ]
    found = run("site.hidden_link", facts_for([page(HOME)], links=links))
    assert {f.detail["target"] for f in found} == {
        "http://www.example.com/a",
        "http://am-casino88.example.net/",
    }
    assert {tuple(f.detail["word"]) for f in found} == {("赌博", "澳门葡京"), ("赌博", "casino")}
    # the office's own illicit list stays a site.security veto, and is not repeated as a lead
    office = merge(RULES, {"website": {"security": {"illicit_domains": ["example.com"]}}})
    assert len(run("site.security", facts_for([page(HOME)], links=links), office)) == 1
    left = run("site.hidden_link", facts_for([page(HOME)], links=links), office)
    assert {f.detail["target"] for f in left} == {"http://am-casino88.example.net/"}


# -- site.annual_report -------------------------------------------------------------------


def reports(openness: date | None, website: date | None) -> list[Page]:
    items = []
    if openness is not None:
        items.append(
            DatedItem("示范市2022年政府信息公开工作年度报告", HOME + "nb/1.html", openness)
        )
    if website is not None:
        items.append(
            DatedItem(
                "示范市人民政府门户网站2022年政府网站工作年度报表", HOME + "nb/2.html", website
            )
        )
    home = page(HOME)
    home.items = items
    return [home]


def q1(pages: list[Page], **kw: Any) -> Facts:
    return facts_for(pages, quarter="2023Q1", as_of=date(2023, 3, 31), **kw)


def test_annual_reports_by_the_thirty_first_of_january() -> None:
    assert run("site.annual_report", q1(reports(date(2023, 1, 31), date(2023, 1, 30)))) == []
    (f,) = run("site.annual_report", q1(reports(date(2023, 2, 1), date(2023, 1, 31))))
    assert f.key == "annual:openness" and f.points == 1 and not f.veto
    assert (
        f.problem
        == "2022年政府信息公开工作年度报告公开时间（2023-02-01）晚于规定时限（2023年1月31日）"
    )
    assert f.evidence_url == HOME + "nb/1.html"
    (f,) = run("site.annual_report", q1(reports(date(2023, 1, 20), None)))
    assert f.key == "annual:website" and f.problem == "未公开2022年政府网站工作年度报表"


def test_annual_reports_judged_in_the_first_quarter_after_a_complete_crawl_only() -> None:
    assert run("site.annual_report", q1(reports(None, None), complete=False)) == []
    assert len(run("site.annual_report", q1(reports(None, None)))) == 2
    assert run("site.annual_report", facts_for(reports(None, None))) == []  # 2022Q3
    assert run("site.annual_report", q1(reports(None, None), kind="事业单位网站")) == []
    # last year's reports are not this year's
    old = reports(None, None)
    old[0].items = [
        DatedItem("2021年政府信息公开工作年度报告", HOME + "nb/0.html", date(2022, 1, 20))
    ]
    assert len(run("site.annual_report", q1(old))) == 2
    # an undated sighting is present (no verdict on lateness)
    undated = reports(None, None)
    undated[0].items = [DatedItem("2022年度政府信息公开工作报告", HOME + "nb/3.html", None)]
    assert [f.key for f in run("site.annual_report", q1(undated))] == ["annual:website"]


# -- site.search --------------------------------------------------------------------------


def test_search_outcomes() -> None:
    def judged(search: dict[str, Any]) -> list[Finding]:
        return run("site.search", facts_for([page(HOME)], search=search))

    assert judged({"status": "working", "query": "x"}) == []
    for silent in ("scripted", "unchecked"):
        assert judged({"status": silent}) == []
    assert judged({}) == []  # not tried
    (f,) = judged({"status": "no_box", "page": HOME})
    assert f.problem == "网站首页未提供站内搜索功能" and f.points == 2 and not f.veto
    (f,) = judged(
        {"status": "no_result", "query": "关于开展安全生产检查的通知", "url": HOME + "s?q=1"}
    )
    assert f.problem == "站内搜索功能不可用：检索本站信息“关于开展安全生产检查的通知”无结果"
    assert f.evidence_url == HOME + "s?q=1"
    (f,) = judged({"status": "failed", "http_status": 500})
    assert f.problem == "站内搜索功能不可用：搜索结果页无法打开（HTTP 500）"


# -- site.survey_few ----------------------------------------------------------------------


def survey(count: int, *, oldest: int = 300, truncated: str = "") -> ColumnFacts:
    step = oldest // max(count, 1)
    items = [DatedItem(f"征集{i}", f"{HOME}dczj/{i}.html", AS_OF - timedelta(days=10 + step * i))
             for i in range(count)]  # fmt: skip
    items.append(DatedItem("去年的征集", HOME + "dczj/old.html", AS_OF - timedelta(days=366)))
    return ColumnFacts(HOME + "dczj/", HOME, "调查征集", "调查征集", items=items, list_type=True,
                       pages=[HOME + "dczj/"], item_count=len(items), truncated=truncated)  # fmt: skip


def test_portals_need_six_activities_in_the_rolling_year() -> None:
    for count, expected in ((5, 1), (6, 0), (7, 0)):
        facts = facts_for([page(HOME)])
        facts.columns = [survey(count)]
        found = run("site.survey_few", facts)
        assert len(found) == expected, count
    facts = facts_for([page(HOME)])
    facts.columns = [survey(5)]
    (f,) = run("site.survey_few", facts)
    assert f.problem == "近一年开展调查征集5次，少于6次的要求" and f.points == 1
    assert len(f.detail["activities"]) == 5 and f.target == HOME


def test_survey_few_needs_a_portal_a_read_column_and_a_complete_crawl() -> None:
    for kw, column in (({"kind": "部门网站"}, survey(2)), ({"complete": False}, survey(2)),
                       ({}, survey(2, truncated="已达抓取上限"))):  # fmt: skip
        facts = facts_for([page(HOME)], **kw)
        facts.columns = [column]
        assert run("site.survey_few", facts) == []
    assert run("site.survey_few", facts_for([page(HOME)])) == []  # no 调查征集 column found


# -- policy.unlinked ----------------------------------------------------------------------

DOC_URL, INTERP_URL = HOME + "zcwj/1.html", HOME + "zcjd/1.html"


def policy(doc_links: bool, interp_links: bool, published: date = date(2022, 8, 1)) -> Facts:
    facts = facts_for([page(HOME)])
    doc = DocumentFacts(DOC_URL, "关于印发《示范市河道管理办法》的通知", HOME, "示水规〔2022〕1号",
                        published=published, normative=True,
                        related=(RelatedLink("解读", INTERP_URL),) if doc_links else ())  # fmt: skip
    interp = InterpretationFacts(INTERP_URL, "《示范市河道管理办法》政策解读", HOME,
                                 published=published, forms=("问答",),
                                 cited_titles=("示范市河道管理办法",),
                                 related=(RelatedLink("原文", DOC_URL),) if interp_links else ())  # fmt: skip
    facts.documents, facts.interpretations = [doc], [interp]
    return facts


def test_documents_and_interpretations_link_both_ways() -> None:
    assert run("policy.unlinked", policy(True, True)) == []
    (f,) = run("policy.unlinked", policy(True, False))
    assert f.target_kind == "document" and f.target == "示水规〔2022〕1号" and not f.veto
    assert f.problem == (
        f"文件与解读未相互关联：解读页面未关联文件（文件：{DOC_URL}；解读：{INTERP_URL}）"
    )
    (f,) = run("policy.unlinked", policy(False, True))
    assert "文件页面未关联解读" in f.problem and f.evidence_url == DOC_URL
    (f,) = run("policy.unlinked", policy(False, False))  # paired by its 《title》
    assert "文件页面与解读页面均未关联对方" in f.problem


def test_unlinked_documents_within_the_look_back_only() -> None:
    assert len(run("policy.unlinked", policy(True, False, AS_OF - timedelta(days=365)))) == 1
    assert run("policy.unlinked", policy(True, False, AS_OF - timedelta(days=366))) == []
