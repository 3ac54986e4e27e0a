"""Issue 17's plants in the demo city, kept in one place (applied after a site is built, so no
other site's random draws change).

Every site gets a working 站内搜索 (a GET form on every page, ``/search?q=`` listing the
site's items whose title holds the query) and, for 政府网站, the previous year's
政府信息公开工作年度报告 and 政府网站工作年度报表 in a 信息公开年报 column, both published in
January. The plants (each at its threshold and one step either side where it has one):

- 市生态环境局: two 政务咨询 messages answered 5 and 6 working days after they were asked;
- 市民政局: an article listing an unmasked 身份证号, mobile and bank card number (a lead),
  its title showing the mobile number too (kept masked in rows, pages and the store);
  市公安局: the same list masked (no finding);
- 市科技局: a CSS-hidden link and a ``document.write`` link to gambling hosts (two leads);
- 市财政局: its first interpretation does not link back to its document;
- 市司法局 has no 政府网站工作年度报表, 市农业农村局's 年度报告 is dated 3 February
  (judged only when the check is in the first quarter);
- 市审计局: no search box; 市统计局: a search that finds nothing; 市工信局: a box only a script
  submits (no verdict);
- 云岭区 ran 5 调查征集 activities in the year, 青溪县 6 (no finding);
- accounts: 示范审计 certified by a company, 示范统计 listed under 市林业局, 明湖发布 and
  明湖官方发布 (renamed from 明湖政务服务) of one unit on one platform, 示范城管 closed but
  publishing, 示范粮储 closed and silent (no finding).

Dates are Asia/Shanghai calendar dates, times naive wall-clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from html import escape

from workbench.demo.city import AccountModel, Column, Item, SiteModel, TruthEntry
from workbench.indicators.policy import working_days_after

ANSWER_SLOW_SITE = "sthjj"
ANSWER_DELAYS = (5, 6)  # working days between question and answer
PRIVACY_SITE, MASKED_SITE = "mzj", "gaj"
# Fictional numbers with valid check digits (身份证号 of 1990-03-07, Luhn-valid UnionPay card).
PRIVACY_NUMBERS = ("430102199003071234", "13812345678", "6222020000123456782")
MASKED_NOTE = "公示名单：王某某，身份证号430***********1234，联系电话138****5678。"
HIDDEN_LINK_SITE = "kjj"
HIDDEN_LINKS = ("http://www.amjs-casino.example/", "http://www.pj-bet.example/")
UNLINKED_SITE = "czj"
ANNUAL_MISSING_SITE, ANNUAL_LATE_SITE = "sfj", "nyj"
SEARCH_PLANTS = {"sjj": "none", "tjj": "empty", "gxj": "scripted"}
SURVEY_FEW = {"yunling": 5, "qingxi": 6}
PLANTED = frozenset(
    {ANSWER_SLOW_SITE, PRIVACY_SITE, HIDDEN_LINK_SITE, UNLINKED_SITE, "sjj", "tjj", "yunling"}
)
REPORTS_COLUMN = "xxgknb"


def privacy_note() -> str:
    number, mobile, card = PRIVACY_NUMBERS
    return f"公示名单：王某某，身份证号{number}，联系电话{mobile}，银行卡号{card}。"


def _new_id(site: SiteModel, k: int) -> int:
    return 900_000 + k


def _after_working_days(start: date, n: int) -> date:
    day = start
    while working_days_after(start, day) < n:
        day += timedelta(days=1)
    return day


def _answers(site: SiteModel, as_of: date) -> SiteModel:
    board = site.column("hdjl")
    asked = as_of - timedelta(days=60)
    while asked.weekday() != 0:  # a Monday
        asked -= timedelta(days=1)
    extra = []
    for k, delay in enumerate(ANSWER_DELAYS):
        q = asked - timedelta(days=14 * k)
        answered = datetime.combine(_after_working_days(q, delay), time(16, 30))
        extra.append(Item(_new_id(site, 10 + k), f"关于环境监测数据公开的咨询（{k + 1}）", answered,
                          "consultation", asked=datetime.combine(q, time(9, 15))))  # fmt: skip
    items = tuple(sorted((*board.items, *extra), key=lambda it: it.published, reverse=True))
    return _with_column(site, replace(board, items=items))


def _with_column(site: SiteModel, column: Column) -> SiteModel:
    return replace(site, columns=tuple(column if c.key == column.key else c for c in site.columns))


def _reports(site: SiteModel, as_of: date) -> SiteModel:
    """The previous year's 年度报告 and 年度报表, both in January (see module doc)."""
    if site.kind == "事业单位网站":
        return site
    year = as_of.year if as_of.month > 1 else as_of.year - 1
    openness = datetime(year, 2 if site.key == ANNUAL_LATE_SITE else 1,
                        3 if site.key == ANNUAL_LATE_SITE else 15, 10, 0)  # fmt: skip
    items = [Item(_new_id(site, 1), f"{site.unit}{year - 1}年政府信息公开工作年度报告", openness)]
    if site.key != ANNUAL_MISSING_SITE:
        items.append(Item(_new_id(site, 2), f"{site.name}{year - 1}年政府网站工作年度报表",
                          datetime(year, 1, 20, 10, 0)))  # fmt: skip
    items.sort(key=lambda it: it.published, reverse=True)
    column = Column(REPORTS_COLUMN, 99, "信息公开年报", "其他", tuple(items), on_homepage=False)
    return replace(site, columns=(*site.columns, column))


def apply_issue17(site: SiteModel, as_of: date) -> SiteModel:
    """``site`` with issue 17's plants (see module doc)."""
    site = replace(site, search=SEARCH_PLANTS.get(site.key, "working"))
    site = _reports(site, as_of)
    if site.key == ANSWER_SLOW_SITE:
        site = _answers(site, as_of)
    if site.key in (PRIVACY_SITE, MASKED_SITE):
        news = site.columns[0].items[0]
        note = privacy_note() if site.key == PRIVACY_SITE else MASKED_NOTE
        site = replace(site, article_notes=(*site.article_notes, (news.item_id, note)))
        if site.key == PRIVACY_SITE:  # the number in a title too: rows and pages keep it masked
            titled = replace(news, title=f"{news.title}（联系电话{PRIVACY_NUMBERS[1]}）")
            news_column = replace(site.columns[0], items=(titled, *site.columns[0].items[1:]))
            site = _with_column(site, news_column)
    if site.key == HIDDEN_LINK_SITE:
        casino, bet = HIDDEN_LINKS
        html = (f'<div style="display:none"><a href="{casino}">澳门葡京娱乐场</a></div>'
                f"<script>document.write('<a href=\"{bet}\">体育投注</a>');</script>")  # fmt: skip
        site = replace(site, extra_home_html=html)
    if site.key == UNLINKED_SITE:
        interps = site.column("zcjd")
        first = max(interps.items, key=lambda it: it.published)  # of the newest document
        items = tuple(replace(it, related=()) if it is first else it for it in interps.items)
        site = _with_column(site, replace(interps, items=items))
    if site.key in SURVEY_FEW:
        survey = site.column("dczj")
        site = _with_column(site, replace(survey, items=survey.items[: SURVEY_FEW[site.key]]))
    return site


def search_form(site: SiteModel) -> str:
    """The search box every page's header shows (none, a script-only box, or a GET form)."""
    if site.search == "none":
        return ""
    if site.search == "scripted":
        return ('<div class="search"><input type="text" id="searchword" placeholder="请输入关键词">'
                '<button onclick="doSearch()">搜索</button></div>')  # fmt: skip
    return ('<form class="search" action="/search" method="get"><input type="text" name="q" '
            'placeholder="请输入关键词"><input type="submit" value="搜索"></form>')  # fmt: skip


def render_search(
    site: SiteModel, query: str, item_url: Callable[[SiteModel, Column, Item], str]
) -> str:
    """The results page of ``/search?q=query``: links to the items whose title holds it."""
    found: list[str] = []
    if site.search == "working" and query.strip():
        for col in site.columns:
            for item in col.items:
                if query.strip() in item.title and len(found) < 20:
                    found.append(
                        f'<li><a href="{item_url(site, col, item)}">{escape(item.title)}</a></li>'
                    )
    listing = f"<ul>{''.join(found)}</ul>" if found else "<p>未找到相关结果</p>"
    return (f'<html><head><meta charset="utf-8"><title>搜索结果-{escape(site.name)}</title></head>'
            f"<body><p>您搜索的是：{escape(query)}</p>{listing}</body></html>")  # fmt: skip


def issue17_entries(
    as_of: date, site: dict[str, SiteModel], accounts: dict[str, AccountModel]
) -> tuple[TruthEntry, ...]:
    """What a correct check must and must not report about issue 17's plants."""
    out: list[TruthEntry] = []

    def add(section: str, indicator: str, kind: str, ref: str, unit: str, **kw: object) -> None:
        kw.setdefault("since", "issue-17")
        out.append(TruthEntry(section, indicator, kind, ref, unit, **kw))  # type: ignore[arg-type]

    def web(section: str, indicator: str, key: str, note: str, **kw: object) -> None:
        add(section, indicator, "website", key, site[key].unit, note=note, **kw)

    web(
        "expected",
        "site.answer_slow",
        ANSWER_SLOW_SITE,
        "2条政务咨询留言分别在5个和6个工作日后答复：超过5个工作日的1条",
        key_path="answer_slow",
    )
    for key, days in (("rsj", 100), ("swj", 80)):
        web(
            "expected",
            "site.answer_slow",
            key,
            f"1条留言{days}天前提出，至今未答复",
            key_path="answer_slow",
        )
    web(
        "expected",
        "site.privacy",
        PRIVACY_SITE,
        "文章中公开了未脱敏的身份证号、手机号码和银行卡号（线索，确认后按安全问题单项否决）",
    )
    web("not_expected", "site.privacy", MASKED_SITE, "文章中的身份证号、手机号码已脱敏")
    web(
        "expected",
        "site.hidden_link",
        HIDDEN_LINK_SITE,
        "首页隐藏（display:none）的涉赌链接和脚本写入的链接（线索）",
    )
    web(
        "expected",
        "site.external_nongov",
        HIDDEN_LINK_SITE,
        "首页隐藏的涉赌链接也是非政府网站外链",
        key_path=HIDDEN_LINKS[0],
    )
    web("expected", "site.search", "sjj", "网站首页没有搜索框", key_path="search")
    web("expected", "site.search", "tjj", "站内搜索检索不到本站信息", key_path="search")
    web("not_expected", "site.search", "gxj", "搜索框只能由脚本提交，无法自动检验，不作判定")
    web(
        "expected",
        "site.survey_few",
        "yunling",
        "近一年仅开展5次调查征集（少于6次）",
        key_path="survey_few",
    )
    web("not_expected", "site.survey_few", "qingxi", "近一年开展6次调查征集（边界）")
    czj = site[UNLINKED_SITE]
    interp = max(czj.column("zcjd").items, key=lambda it: it.published)
    doc = next(it for it in czj.column("zcwj").items if interp.item_id in it.related)
    assert doc.doc_number is not None
    add(
        "expected",
        "policy.unlinked",
        "document",
        doc.doc_number,
        czj.unit,
        note="文件页面链接了解读，解读页面未链接文件",
        key_date=doc.published.date(),
    )
    if (as_of.month - 1) // 3 == 0:  # judged in the first quarter only
        web(
            "expected",
            "site.annual_report",
            ANNUAL_MISSING_SITE,
            f"未公开{as_of.year - 1}年政府网站工作年度报表",
            key_path="annual:website",
        )
        web(
            "expected",
            "site.annual_report",
            ANNUAL_LATE_SITE,
            f"{as_of.year - 1}年政府信息公开工作年度报告于2月3日公开，晚于1月31日",
            key_path="annual:openness",
        )
    for name, note in (
        ("示范审计", "认证主体为某文化传媒有限公司"),
        ("示范统计", "名录中开办单位为市林业局，账号名称指向市统计局"),
        ("明湖发布", "与明湖官方发布同属明湖区、同一平台"),
        ("明湖官方发布", "与明湖发布同属明湖区、同一平台"),
        ("示范城管", "名录中已关停，仍在发布信息"),
    ):
        add("expected", "media.mismatch", "media", name, accounts[name].unit, note=note)
    for indicator in ("media.stale", "media.update_slow", "check.incomplete"):
        add(
            "not_expected",
            indicator,
            "media",
            "示范粮储",
            accounts["示范粮储"].unit,
            note="名录中已关停且已停止发布：不按内容不更新判定",
        )
    return tuple(out)
