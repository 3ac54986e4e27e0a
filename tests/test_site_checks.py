"""Website crawl indicators on synthetic facts: each rule at its threshold and one step either side."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.facts import Facts, SiteFacts
from workbench.indicators import REGISTRY
from workbench.indicators.service import sites_without_service
from workbench.models import Finding, Inventory, Website
from workbench.pages import Link, Page, PageSignals
from workbench.rules import load_rules, merge

RULES = load_rules()
AS_OF = date(2022, 9, 30)
HOME = "http://127.0.0.1:8001/"
OTHER = "http://127.0.0.1:8002/"
VALID_IDENTITY = {
    "site_code": "4399000001",
    "site_code_valid": True,
    "icp": "湘ICP备12345678号",
    "police": "湘公网安备 43990012345678号",
    "conac": True,
}
CHANNELS = {"consult": [["互动交流", "/hdjl/"]], "service": True}


def page(url: str, depth: int = 1, title: str = "页面", **extras: Any) -> Page:
    return Page(url, url, 200, None, title=title, depth=depth, signals=PageSignals(**extras))


def healthy_home(**extras: Any) -> Page:
    values: dict[str, Any] = {"identity": dict(VALID_IDENTITY), "channels": dict(CHANNELS)}
    values.update(extras)
    return page(HOME, depth=0, title="示范市人民政府", **values)


def site(
    pages: list[Page] | None = None,
    links: list[Link] | None = None,
    *,
    kind: str = "门户网站",
    complete: bool = True,
    home_ok: bool = True,
    service: bool | None = None,
) -> tuple[Facts, Website]:
    website = Website("示范市人民政府办公室", "示范市人民政府", HOME, kind, service=service)
    other = Website("示范市水利局", "示范市水利局", OTHER, "部门网站")
    homepage = Page(HOME, HOME, 200 if home_ok else 500, None if home_ok else "HTTP 500")
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), websites=[website, other]))
    facts.sites.append(
        SiteFacts(
            website,
            homepage,
            pages=pages if pages is not None else [healthy_home()],
            links=links or [],
            crawl_complete=complete,
        )
    )
    return facts, website


def run(indicator: str, facts: Facts, rules: dict[str, Any] | None = None) -> list[Finding]:
    return list(REGISTRY[indicator]().check(facts, rules or RULES))


MINE = (
    "site.link_broken",
    "site.external_nongov",
    "site.identity",
    "site.security",
    "site.typo",
    "site.interaction_poor",
    "site.service_poor",
)


def test_a_healthy_site_has_no_finding() -> None:
    facts, _ = site(links=[Link(HOME, HOME + "gzdt/", "工作动态", True, 200)])
    assert [f for i in MINE for f in run(i, facts)] == []


def test_an_unfetched_homepage_is_left_to_check_incomplete() -> None:
    bad = page(HOME, depth=0, identity={"site_code": None}, channels={})
    links = [Link(HOME, "http://x.example.com/", "x", False, 404)]
    facts, _ = site([bad], links, home_ok=False)
    assert [f for i in MINE for f in run(i, facts)] == []


def test_link_broken_status_and_points() -> None:
    links = [
        Link(HOME, HOME + "a.html", "甲", True, 404, on_homepage=True),
        Link(HOME + "list.html", HOME + "b.html", "乙", True, 400),
        Link(HOME + "list.html", HOME + "c.html", "丙", True, 399),
        Link(HOME, "https://www.example.gov.cn/d", "丁", False, None),  # unchecked
        Link(HOME + "x.html", HOME + "e.pdf", "戊", True, None, "连接超时"),
        Link(HOME + "y.html", HOME + "a.html", "甲", True, 404),  # same target again
    ]
    found = {f.key: f for f in run("site.link_broken", site(links=links)[0])}
    assert set(found) == {HOME + "a.html", HOME + "b.html", HOME + "e.pdf"}
    home = found[HOME + "a.html"]
    assert home.points == 1 and home.evidence_url == HOME and not home.veto
    assert home.problem == f"链接不可用：{HOME}a.html（HTTP 404）"
    assert home.detail["sources"] == [HOME, HOME + "y.html"]
    assert found[HOME + "b.html"].points == 0.1
    assert found[HOME + "e.pdf"].problem == f"链接不可用：{HOME}e.pdf（连接超时）"


def test_external_nongov_hosts() -> None:
    targets = {
        "https://www.gov.cn/zhengce/": False,
        "https://bszs.conac.cn/sitename?id=1": False,
        "http://www.beian.gov.cn/portal": False,
        "http://中国.政务/": False,
        OTHER + "col/index.html": False,  # another inventory site (loopback)
        "http://127.0.0.1:9/": False,  # a host of the inventory, whatever the port
        "http://gov.cn.example.com/": True,
        "https://www.example.com/a?b=1": True,
        "http://10.0.0.8/": True,
        "mailto:a@b.cn": False,
    }
    links = [Link(HOME, t, "外链", False) for t in targets]
    links.append(Link(HOME, HOME + "in.html", "内链", True, 200))
    found = {f.key: f for f in run("site.external_nongov", site(links=links)[0])}
    assert set(found) == {t for t, bad in targets.items() if bad}
    f = found["https://www.example.com/a?b=1"]
    assert f.points == 0 and not f.veto
    assert f.problem == "链接至非政府网站：https://www.example.com/a?b=1"
    # an office may accept .org.cn party sites
    accepted = merge(
        RULES, {"website": {"external_nongov": {"allowed_domains": ["conac.cn", "example.com"]}}}
    )
    again = {f.key for f in run("site.external_nongov", site(links=links)[0], accepted)}
    assert again == {"http://10.0.0.8/"}  # hosts under example.com are accepted too


def test_identity_names_what_is_missing() -> None:
    for change, words in (
        ({"site_code": None, "site_code_valid": False}, ["未展示网站标识码"]),
        ({"site_code": "0000000000", "site_code_valid": False}, ["网站标识码“0000000000”无效"]),
        ({"icp": None, "conac": False}, ["未展示ICP备案编号", "未展示党政机关网站标识"]),
        ({"police": None}, ["未展示公安机关备案标识"]),
    ):
        facts, _ = site([healthy_home(identity={**VALID_IDENTITY, **change})])
        (f,) = run("site.identity", facts)
        assert f.detail["missing"] == words and f.key == "identity"
        assert f.problem == "网站首页" + "，".join(words)
        assert f.points == 0.5 * len(words) and f.evidence_url == HOME
    # only the homepage counts; a page without the footer elsewhere is fine
    facts, _ = site([healthy_home(), page(HOME + "a.html", identity={"site_code": None})])
    assert run("site.identity", facts) == []


def test_identity_compares_the_shown_code_with_the_inventory() -> None:
    def with_code(shown: str, registered: str | None) -> list[Finding]:
        facts, website = site([healthy_home(identity={**VALID_IDENTITY, "site_code": shown})])
        facts.sites[0].website = Website(website.unit, website.name, HOME, website.kind, registered)
        return run("site.identity", facts)

    assert with_code("4399000001", "4399000001") == []
    assert with_code("4399000001", None) == []  # nothing registered: nothing to compare
    assert with_code("BM01000001", "bm01000001") == []  # BM and bm are the same code
    (f,) = with_code("4399000002", "4399000001")
    assert f.problem == "网站首页展示的网站标识码“4399000002”与名录登记的“4399000001”不一致"
    assert f.points == 0.5 and not f.veto


def _hit(wrong: str, right: str, category: str, serious: bool) -> dict[str, Any]:
    return {"wrong": wrong, "right": right, "category": category, "serious": serious,
            "context": f"……{wrong}……", "count": 1}  # fmt: skip


def test_wording_splits_serious_and_typo() -> None:
    serious = _hit("两学一作", "两学一做", "重要提法错误", True)
    typo = _hit("再接再励", "再接再厉", "一般性错别字", False)
    pages = [
        healthy_home(),
        page(HOME + "a.html", wording=[serious, typo]),
        page(HOME + "b.html", wording=[serious]),
    ]
    facts, _ = site(pages)
    (sec,) = run("site.security", facts)
    assert sec.veto and sec.key == "wording:两学一作" and sec.evidence_url == HOME + "a.html"
    assert sec.problem == "存在严重表述错误：“两学一作”应为“两学一做”（重要提法错误）"
    assert sec.detail["page_count"] == 2
    (t,) = run("site.typo", facts)
    assert not t.veto and t.points == 0.5 and t.problem == "存在错别字：“再接再励”应为“再接再厉”"


def _stamps(moments: list[datetime], timed: bool) -> list[list[Any]]:
    return [[m.isoformat(), timed] for m in moments]


FETCHED = datetime(2022, 10, 11, 10, 0)  # the seed's circular went out on 11 October


def test_forged_dates_are_judged_against_the_fetch_time_not_the_check_time() -> None:
    def future(*moments: datetime, fetched: datetime | None = FETCHED) -> list[Finding]:
        home = healthy_home(row_times=_stamps(list(moments), False))
        home.fetched_at = fetched
        return run("site.security", site([home])[0])

    october = [datetime(2022, 10, d) for d in (1, 5, 10, 11)]
    assert future(*october) == []  # after the check point, before the crawl: legitimate
    assert future(datetime(2022, 10, 12)) == []  # one day of grace for time zones
    (f,) = future(datetime(2022, 10, 13))
    assert f.key == "dates:future" and f.veto and not f.lead
    assert (
        f.problem
        == "信息发布日期（2022-10-13 00:00:00）晚于页面抓取时间（2022-10-11 10:00），发布日期造假"
    )
    assert future(datetime(2022, 10, 13), fetched=None) == []  # fetch time unknown: no verdict
    # an article's own publication date counts too
    article = page(HOME + "a.html")
    article.published, article.fetched_at = date(2022, 11, 1), FETCHED
    (f,) = run("site.security", site([healthy_home(), article])[0])
    assert f.key == "dates:future" and "2022-11-01" in f.problem


def test_many_rows_sharing_one_time_are_a_lead_not_a_veto() -> None:
    moment = datetime(2022, 9, 1, 9, 30)
    for count, timed, expected in ((9, True, False), (10, True, True), (11, False, False)):
        other = [datetime(2022, 8, 1, 10, 0)]
        facts, _ = site([healthy_home(), page(HOME + "list.html",
                         row_times=_stamps([moment] * count + other, timed))])  # fmt: skip
        found = run("site.security", facts)
        assert bool(found) is expected, (count, timed)
        if expected:
            (lead,) = found
            assert lead.key == "dates:batch" and lead.evidence_url == HOME + "list.html"
            assert lead.lead and not lead.veto and lead.detail["lead_veto"] is True
            assert lead.problem == (
                "同一页面10条信息的发布时间均为2022-09-01 09:30，"
                "疑似批量篡改发布日期（线索，待人工核实）"
            )


def test_wording_on_pages_published_after_the_check_time_is_next_quarters() -> None:
    serious = _hit("两学一作", "两学一做", "重要提法错误", True)
    later = page(HOME + "a.html", wording=[serious])
    later.published = AS_OF + timedelta(days=5)
    assert run("site.security", site([healthy_home(), later])[0]) == []
    later.published = AS_OF
    assert len(run("site.security", site([healthy_home(), later])[0])) == 1


def test_illicit_links_only_from_the_rules_list() -> None:
    links = [Link(HOME, "http://www.bad-casino.example/x", "娱乐城", False)]
    assert run("site.security", site(links=links)[0]) == []
    rules = merge(RULES, {"website": {"security": {"illicit_domains": ["bad-casino.example"]}}})
    (f,) = run("site.security", site(links=links)[0], rules)
    assert f.veto and f.problem == "链接至违规网站或内容：http://www.bad-casino.example/x"
    rules = merge(RULES, {"website": {"security": {"illicit_keywords": ["娱乐城"]}}})
    assert len(run("site.security", site(links=links)[0], rules)) == 1


def test_no_consultation_channel_only_after_a_complete_crawl() -> None:
    bare = page(HOME, depth=0, identity=VALID_IDENTITY, channels={"consult": [], "service": True})
    assert run("site.interaction_poor", site([bare], complete=False)[0]) == []
    (f,) = run("site.interaction_poor", site([bare])[0])
    assert f.veto and f.key == "no_channel" and "未提供有效的在线咨询渠道" in f.problem
    # messages on some page show a channel exists
    answered = {"asked": "2022-09-01", "answered": "2022-09-03", "status": "已回复"}
    with_messages = [bare, page(HOME + "m.html", messages=[answered])]
    assert run("site.interaction_poor", site(with_messages)[0]) == []


def _column_page(path: str, crumb: list[str], **extras: Any) -> Page:
    signals = {"column_name": crumb[-1], "breadcrumb": crumb, "nav": [], "article": False}
    return page(HOME + path, column_signals=signals, **extras)


def test_a_site_whose_only_channels_are_xinfang_and_jijian_has_none() -> None:
    home = healthy_home(channels={"consult": [], "sections": [["互动交流", "/hdjl/"]]})
    hub = _column_page("hdjl/", ["互动交流"], channels={"consult": [], "sections": []})
    xinfang = _column_page(
        "hdjl/wsxf/",
        ["互动交流", "网上信访"],
        channels={"consult": [], "form": True},
        messages=[{"asked": "2022-09-01", "answered": "2022-09-03", "status": "已回复"}],
    )
    jijian = _column_page("hdjl/jjjb/", ["互动交流", "纪检举报"], channels={"form": True})
    (f,) = run("site.interaction_poor", site([home, hub, xinfang, jijian])[0])
    assert f.veto and f.key == "no_channel"
    # the section page was not read: it may hold a channel, so no verdict
    assert run("site.interaction_poor", site([home, xinfang, jijian])[0]) == []
    # a 局长信箱 beside them is a channel
    mailbox = _column_page("hdjl/jzxx/", ["互动交流", "局长信箱"], channels={"form": True})
    assert run("site.interaction_poor", site([home, hub, xinfang, mailbox])[0]) == []


def test_only_consultation_columns_count_for_unanswered_messages() -> None:
    old = {"asked": "2022-05-01", "answered": None, "status": "未回复"}
    for crumb in (["互动交流", "网上信访"], ["在线访谈"], ["互动交流", "纪检举报"], ["调查征集"]):
        pages = [healthy_home(), _column_page("x/1.html", crumb, messages=[old])]
        assert run("site.interaction_poor", site(pages)[0]) == [], crumb
    pages = [healthy_home(), _column_page("x/1.html", ["互动交流", "在线咨询"], messages=[old])]
    (f,) = run("site.interaction_poor", site(pages)[0])
    assert f.key == "unanswered"


def test_a_xinfang_bureaus_own_mailbox_is_a_consultation_column() -> None:
    old = {"asked": "2022-05-01", "answered": None, "status": "未回复"}
    facts, website = site([healthy_home()])
    facts.sites[0].website = Website("示范市信访局", "示范市信访局", HOME, "部门网站")
    facts.sites[0].pages.append(
        _column_page("jzxx/1.html", ["示范市信访局局长信箱"], messages=[old])
    )
    (f,) = run("site.interaction_poor", facts)
    assert f.key == "unanswered"


def _message(asked: date, answered: date | None) -> dict[str, Any]:
    return {"asked": asked.isoformat(), "answered": answered.isoformat() if answered else None,
            "status": "已回复" if answered else "未回复"}  # fmt: skip


def _late(messages: list[dict[str, Any]], title: str = "咨询详情") -> list[Finding]:
    pages = [healthy_home(), page(HOME + "hdjl/1.html", title=title, messages=messages)]
    return run("site.interaction_poor", site(pages)[0])


def test_unanswered_messages_thresholds() -> None:
    assert _late([_message(AS_OF - timedelta(days=90), None)]) == []
    (f,) = _late([_message(AS_OF - timedelta(days=91), None)])
    assert f.veto and f.key == "unanswered" and f.evidence_url == HOME + "hdjl/1.html"
    assert f.problem == "政务咨询类栏目中有1条留言超过3个月未回复（最早一条留言于2022-07-01）"
    # looking back one year only
    assert len(_late([_message(AS_OF - timedelta(days=365), None)])) == 1
    assert _late([_message(AS_OF - timedelta(days=366), None)]) == []
    # answered, but more than 90 days after the question
    asked = AS_OF - timedelta(days=200)
    assert _late([_message(asked, asked + timedelta(days=90))]) == []
    assert len(_late([_message(asked, asked + timedelta(days=91))])) == 1
    # an answer dated after the check time was not there at the check time
    assert len(_late([_message(asked, AS_OF + timedelta(days=3))])) == 1
    # 信访 pages are not 政务咨询
    assert _late([_message(asked, None)], title="网上信访-回复详情") == []


def _guides(count: int, missing: int, start: int = 0) -> list[Page]:
    names = [
        "事项名称",
        "设定依据",
        "申请条件",
        "办理材料",
        "办理地点",
        "办理时间",
        "联系电话",
        "办理流程",
    ]
    guide = {"present": names[missing:], "missing": names[:missing]}
    return [page(f"{HOME}bszn/{i}.html", guide=guide) for i in range(start, start + count)]


def _service(*guides: Page, **kw: Any) -> list[Finding]:
    return run("site.service_poor", site([healthy_home(), *guides], **kw)[0])


def test_service_poor_guides_missing_four_categories() -> None:
    assert _service(*_guides(5, 3)) == []  # 3 categories missing: not 严重
    assert _service(*_guides(4, 4), *_guides(1, 3, start=4)) == []  # 4 of 5 guides poor
    (f,) = _service(*_guides(5, 4))
    assert f.veto and f.key == "guides" and f.detail["count"] == 5
    assert f.problem == "5个办事指南要素缺失严重（每个缺少4类及以上关键要素）"
    assert len(_service(*_guides(5, 4), *_guides(3, 0, start=5))) == 1  # 5 poor of 8


def test_fewer_than_five_guides_all_poor_is_a_veto() -> None:
    (f,) = _service(*_guides(2, 4))
    assert f.problem == "网站仅提供2个办事指南，均要素缺失严重（每个缺少4类及以上关键要素）"
    assert _service(*_guides(1, 4), *_guides(1, 3, start=1)) == []  # not all of them


def test_units_without_service_functions_are_not_judged_on_services() -> None:
    # 对外服务职能 comes from the inventory: empty → 有 for a 门户网站, 无 otherwise
    assert _service(*_guides(5, 6), kind="部门网站") == []
    assert len(_service(*_guides(5, 6), kind="部门网站", service=True)) == 1
    assert _service(*_guides(5, 6), service=False) == []


def test_no_service_only_for_units_with_service_functions_after_a_complete_crawl() -> None:
    bare = page(HOME, depth=0, identity=VALID_IDENTITY, channels={"consult": [["咨询", "/"]]})
    (f,) = run("site.service_poor", site([bare])[0])
    assert f.key == "no_service" and f.problem == "未提供办事服务"
    assert run("site.service_poor", site([bare], complete=False)[0]) == []
    facts, website = site([bare], kind="部门网站")
    assert run("site.service_poor", facts) == []
    (f,) = run("site.service_poor", site([bare], kind="部门网站", service=True)[0])
    assert f.key == "no_service"
    assert sites_without_service(facts.inventory.websites) == {website.url, OTHER}
    facts, _ = site([bare], kind="部门网站", service=True)
    assert sites_without_service(facts.inventory.websites) == {OTHER}


def test_finding_ids_are_stable_and_distinct() -> None:
    links = [Link(HOME, HOME + f"{i}.html", "链接", True, 404) for i in range(3)]
    first = [f.finding_id for f in run("site.link_broken", site(links=links)[0])]
    again = [f.finding_id for f in run("site.link_broken", site(links=links)[0])]
    assert first == again and len(set(first)) == 3
