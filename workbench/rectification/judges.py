"""The re-check of each kind of problem: one function per indicator that a machine can
judge again from its target (``JUDGES``), each handing the refreshed facts to the indicator's
own ``check`` through :meth:`Rechecker.by_indicator`; every other indicator stays with the
reviewer (``MANUAL_REASONS``). See :mod:`workbench.rectification.recheck`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import WorkbenchError
from workbench.extract.cms import column_key
from workbench.extract.columns_model import ColumnFacts
from workbench.facts import AccountFacts, ProbeFact, SiteFacts
from workbench.fetch.feeds import read_feed
from workbench.fetch.guard import ERR_PRIVATE
from workbench.fetch.http import make_session
from workbench.indicators.base import Indicator, newest_on_or_before
from workbench.indicators.columns import ColumnBlank, ColumnsStale, ColumnStale, SurveyStale, judged
from workbench.indicators.media import MediaStale
from workbench.indicators.site_checks import Identity
from workbench.indicators.website import HomepageStale, Unreachable
from workbench.models import Finding, MediaAccount, Website
from workbench.monitoring import monitoring_week
from workbench.pages import Page
from workbench.store.loaders import probes_between
from workbench.urls import normalize_url

if TYPE_CHECKING:
    from workbench.rectification.recheck import Rechecker

FIXED, NOT_FIXED, MANUAL = "fixed", "not_fixed", "manual"

MAX_PAGES_PER_FINDING = 10  # pages showing one wording error, or linking one broken link

# Why a problem stays with the reviewer (indicators without a machine re-check).
MANUAL_REASONS = {
    "site.interaction_poor": "互动回应情况须人工核查咨询渠道和留言答复",
    "site.service_poor": "办事服务情况须人工核查办事指南",
    "site.answer_slow": "留言答复时限须人工核查",
    "site.privacy": "个人信息是否已删除或脱敏须人工核查（线索）",
    "site.hidden_link": "暗链或违规链接须人工核查（线索）",
    "site.external_nongov": "非政府网站外链须人工排查",
    "site.search": "站内搜索须人工试用核查",
    "site.survey_few": "调查征集活动次数须人工核查",
    "site.annual_report": "年度报告（报表）公开情况须人工核查",
    "policy.interpretation_missing": "政策解读须人工核查文件与解读的对应关系",
    "policy.interpretation_late": "解读发布时间已成事实，须人工核查",
    "policy.unlinked": "文件与解读的相互链接须人工核查",
    "openness.column_sparse": "专栏信息发布情况须人工核查",
    "openness.column_stale": "基层政务公开专栏须人工核查",
    "media.unregistered": "备案情况须人工核实（名录信息，不能由抓取判断）",
    "media.interaction_poor": "互动功能须人工核实（名录信息，不能由抓取判断）",
    "media.update_slow": "更新频率须人工核查",
    "media.security": "账号内容须人工核查",
    "media.link_broken": "帖文链接须人工核查",
    "media.mismatch": "账号认证主体和关停整合情况须人工核实",
}


@dataclass(frozen=True)
class Verdict:
    status: str  # fixed / not_fixed / manual
    evidence_url: str
    note: str


def manual(url: str, note: str) -> Verdict:
    return Verdict(MANUAL, url, note)


@dataclass(frozen=True)
class PageRead:
    page: Page | None
    links: list[tuple[str, str]]
    error: str


# --- one function per indicator with a machine re-check ------------------------------------


def _website(ctx: Rechecker, finding: Finding) -> Website:
    url = finding.target if finding.target_kind == "website" else finding.detail.get("site_url")
    website = ctx.websites.get(str(url or ""))
    if website is None:
        raise WorkbenchError("本季度检查的名录中找不到该网站")
    return website


def _unread(url: str, read: PageRead) -> Verdict:
    why = read.error.removesuffix("。") or "无法读取"
    return manual(url, f"页面无法获取或读取（{why}），不能据此认定已整改，须人工核查。")


def _homepage_stale(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    website = _website(ctx, finding)
    read = ctx.read(website.url)
    if read.page is None:
        return _unread(website.url, read)
    page = read.page
    dates = [i.date for i in page.items if i.date is not None]
    if not dates:
        return manual(
            page.final_url, "首页未读到带日期的信息（可能由脚本加载或为导航页），须人工核查。"
        )
    home = Page(
        url=website.url,
        final_url=page.final_url,
        status=page.status,
        error=None,
        title=page.title,
        items=page.items,
        script_list=page.script_list,
        script_note=page.script_note,
    )
    newest = newest_on_or_before(dates, ctx.as_of)
    shown = f"首页最新信息日期{newest.isoformat()}" if newest else "首页无复查时间点前的信息"
    facts = ctx.facts([website], sites=[SiteFacts(website=website, homepage=home)])
    return ctx.by_indicator(HomepageStale, facts, fid, page.final_url, f"{shown}。")


def _key(url: str) -> str:
    try:
        return column_key(url)
    except ValueError:
        return url


def _refreshed(ctx: Rechecker, column: ColumnFacts) -> ColumnFacts | Verdict:
    """``column`` with its list's first page read now (newest, rows, blank, placeholder)."""
    read = ctx.read(column.url)
    if read.page is None:
        return _unread(column.url, read)
    page = read.page
    if page.script_list == "unread" and not any(i.date for i in page.items):
        note = page.script_note or "列表由脚本加载"
        return manual(column.url, f"栏目列表无法读取（{note}），须人工核查。")
    # as column discovery reads a list: rows linking the homepage or a column are no items
    not_items = {_key(c.url) for c in ctx.stored_columns(column.site_url)} | {_key(column.site_url)}
    items = [i for i in page.items if _key(i.url) not in not_items]
    dates = [i.date for i in items if i.date is not None]
    newest = max((d for d in dates if d <= ctx.as_of), default=None)
    signals = page.signals.column_signals
    seen = str(signals["placeholder"] if signals else "")
    known = [str(p) for p in ctx.rules.columns.placeholders]
    placeholder = seen if any(p in seen for p in known) else ""
    blank = (
        column.list_type
        and not column.children
        and (not items or (bool(placeholder) and not dates))
    )
    return replace(
        column,
        items=items,
        newest=newest,
        item_count=len(items),
        blank=blank,
        placeholder=placeholder,
        unreadable="",
        pages=[page.final_url or column.url],
    )


def _stored_column(ctx: Rechecker, website: Website, url: str) -> ColumnFacts:
    for column in ctx.stored_columns(website.url):
        if column.url == url:
            return column
    raise WorkbenchError("本季度的抓取结果中找不到该栏目")


def _column(indicator: type[Indicator]) -> Callable[[Rechecker, str, Finding], Verdict]:
    def judge(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
        website = _website(ctx, finding)
        column = _refreshed(ctx, _stored_column(ctx, website, finding.target))
        if isinstance(column, Verdict):
            return column
        if column.blank and indicator is not ColumnBlank:
            return Verdict(NOT_FIXED, column.url, "栏目现已无任何信息（空白栏目），未整改。")
        if column.blank:
            fixed = "栏目仍无信息。"
        elif column.newest:
            fixed = f"栏目最新信息日期{column.newest.isoformat()}（共{column.item_count}条）。"
        else:
            fixed = f"栏目列有{column.item_count}条信息。"
        facts = ctx.facts([website], columns=[column])
        return ctx.by_indicator(indicator, facts, fid, column.url, fixed)

    return judge


def _columns_stale(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    """栏目不更新 (veto): every column of the site the quarter judged, read again."""
    website = _website(ctx, finding)
    columns = [c for c in ctx.stored_columns(website.url) if judged(c, ctx.rules)]
    if not columns:
        raise WorkbenchError("本季度的抓取结果中找不到该网站的栏目")
    fresh: list[ColumnFacts] = []
    for column in columns:
        again = _refreshed(ctx, column)
        if isinstance(again, Verdict):
            return manual(again.evidence_url, f"有栏目未能复查：{again.note}")
        fresh.append(again)
    facts = ctx.facts([website], columns=fresh)
    return ctx.by_indicator(
        ColumnsStale, facts, fid, website.url, f"复查{len(fresh)}个栏目，已不再构成栏目不更新。"
    )


def _identity(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    website = _website(ctx, finding)
    read = ctx.read(website.url)
    if read.page is None or read.page.signals.identity is None:
        return _unread(website.url, read)
    page = replace(read.page, depth=0)
    home = Page(website.url, page.final_url, page.status, None, page.title)
    site = SiteFacts(website=website, homepage=home, pages=[page], crawl_complete=True)
    facts = ctx.facts([website], sites=[site])
    return ctx.by_indicator(Identity, facts, fid, page.final_url, "网站标识信息已齐全。")


def _wording(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    """A wording error (site.typo, or site.security's serious wording): the pages that showed
    it, read again. Any of them still showing it: 未整改; all read and clean: 已整改."""
    wrong = str(finding.detail.get("wrong") or "")
    if not wrong:
        reason = "该类安全问题（伪造发布日期、违规链接等）须人工核查"
        return manual(finding.evidence_url, f"{reason}。")
    pages = [str(p) for p in finding.detail.get("pages") or [finding.evidence_url]]
    unread: list[str] = []
    for url in pages[:MAX_PAGES_PER_FINDING]:
        read = ctx.read(url)
        if read.page is None:
            unread.append(url)
            continue
        hits = read.page.signals.wording or []
        if any(str(h["wrong"]) == wrong for h in hits):
            return Verdict(NOT_FIXED, read.page.final_url or url, f"页面仍有“{wrong}”。")
    if unread:
        return manual(unread[0], f"有{len(unread)}个页面无法获取，不能据此认定已整改，须人工核查。")
    return Verdict(
        FIXED, pages[0], f"复查的{min(len(pages), MAX_PAGES_PER_FINDING)}个页面已无“{wrong}”。"
    )


def _link_broken(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    """A broken link: gone from every page that showed it, or opening now → 已整改; still
    answering HTTP ≥ 400 → 未整改; no answer → 待人工核查."""
    target = str(finding.detail.get("target") or finding.target)
    sources = [str(s) for s in finding.detail.get("sources") or [finding.evidence_url]]
    still: list[str] = []
    read_any = False
    for url in sources[:MAX_PAGES_PER_FINDING]:
        read = ctx.read(url)
        if read.page is None:
            continue
        read_any = True
        if any(normalize_url(t) == normalize_url(target) for t, _ in read.links if t):
            still.append(read.page.final_url or url)
    if read_any and not still:
        return Verdict(FIXED, sources[0], f"页面已不再链接{target}。")
    outcome = ctx.open(target)
    if outcome.status is not None and outcome.status < 400:
        return Verdict(FIXED, target, f"链接已可正常打开（HTTP {outcome.status}）：{target}")
    evidence = still[0] if still else sources[0]
    if outcome.status is not None:
        return Verdict(NOT_FIXED, evidence, f"链接仍不可用（HTTP {outcome.status}）：{target}")
    why = "不访问名录以外的主机" if outcome.error == ERR_PRIVATE else outcome.error
    return manual(evidence, f"链接未能打开（{why}），须人工核查：{target}")


def _unreachable(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    """站点无法访问: the probes recorded since (``workbench probe``), the monitoring week
    ending at the re-check's time, by the same rule."""
    website = _website(ctx, finding)
    days = ctx.rules.website.unreachable.monitor_days
    rows = probes_between(
        ctx.view.engine, ctx.as_of - timedelta(days=days + 1), ctx.as_of + timedelta(days=1)
    )
    probes = [ProbeFact(r.url, r.time, bool(r.ok), r.elapsed_ms) for r in rows]
    mine = [p for p in probes if normalize_url(p.url) == normalize_url(website.url)]
    week = monitoring_week(
        mine,
        ctx.as_of,
        days=days,
        timeout_seconds=float(ctx.rules.website.unreachable.timeout_seconds),
        not_before=ctx.as_of - timedelta(days=days),
    )
    if week is None:
        return manual(website.url, "复查时间点前一周没有可用性探测记录，须人工核查。")
    facts = ctx.facts([website], probes=mine)
    found = list(Unreachable().check(facts, ctx.rules))
    if any(f.finding_id == fid for f in found):
        return Verdict(NOT_FIXED, website.url, next(f.problem for f in found))
    if found:  # too few probes on a day of the week: no verdict either way
        return manual(website.url, found[0].problem)
    return Verdict(
        FIXED, website.url, f"监测周{week.total}次探测中失败{week.failed}次（{week.ratio:.2%}）。"
    )


def inventory_root(inventory: str) -> Path:
    """The folder a run's inventory (a folder or an .xlsx workbook) resolves local sources in."""
    path = Path(inventory)
    return path if path.is_dir() or not path.suffix else path.parent


def _account(ctx: Rechecker, finding: Finding) -> MediaAccount:
    account = ctx.accounts.get((finding.target, finding.platform))
    if account is None:
        raise WorkbenchError("本季度检查的名录中找不到该账号")
    return account


def _media_stale(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    account = _account(ctx, finding)
    session = make_session(ctx.rules.fetch.user_agent)
    try:
        feed = read_feed(
            account.feed,
            base_dir=inventory_root(ctx.view.run.inventory),
            timeout=ctx.timeout,
            json_mapping=ctx.rules.media.json_mapping.model_dump(),
            session=session,
            retries=ctx.rules.fetch.retries,
        )
    finally:
        session.close()
    if not feed.ok:
        return manual(
            feed.source, f"数据源无法读取（{feed.reason}），不能据此认定已整改，须人工核查。"
        )
    newest = newest_on_or_before((p.published for p in feed.posts), ctx.as_of)
    if newest is None:
        return manual(feed.source, "数据源中没有复查时间点前带日期的发布信息，须人工核查。")
    facts = ctx.facts(accounts=[AccountFacts(account=account, feed=feed)])
    return ctx.by_indicator(
        MediaStale, facts, fid, feed.source, f"最新发布日期{newest.isoformat()}。"
    )


JUDGES: dict[str, Callable[[Rechecker, str, Finding], Verdict]] = {
    "site.homepage_stale": _homepage_stale,
    "site.unreachable": _unreachable,
    "site.columns_stale": _columns_stale,
    "site.column_stale": _column(ColumnStale),
    "site.survey_stale": _column(SurveyStale),
    "site.column_blank": _column(ColumnBlank),
    "site.identity": _identity,
    "site.link_broken": _link_broken,
    "site.typo": _wording,
    "site.security": _wording,
    "media.stale": _media_stale,
}
