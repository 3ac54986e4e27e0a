"""``workbench recheck``: each problem of a reviewed quarter judged again from what its target
shows now, at a later check time (``as_of``, default today).

Only the targets of the quarter's problems are fetched — the homepage, the column's list page,
the pages showing a wording error, the page linking a broken link and the link itself, the
account's feed — each once, and judged by **the same indicator** as in the quarter: the
refreshed facts are handed to the indicator's own ``check`` with the quarter's label, so a
problem still present yields the same ``finding_id`` (未整改) and one gone yields none
(已整改). The rules are the run's own (its rules files; the defaults when they are gone).

What a machine cannot judge again from one target — a site's consultation channels, its
service guides, the documents and their interpretations, a lead, what the inventory says —
stays with the reviewer: 待人工核查, with a note saying why. A failed fetch is never evidence of
rectification: it is 待人工核查 too. Problems a reviewer dismissed and leads not confirmed
are not problems of the circular and are not re-checked; neither is ``check.incomplete``.

Dates are Asia/Shanghai calendar dates; ``checked_at`` is naive Asia/Shanghai wall-clock.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workbench import store
from workbench.errors import RulesError, WorkbenchError
from workbench.extract.columns_model import ColumnFacts
from workbench.extract.page_facts import configure_wording
from workbench.facts import AccountFacts, Facts, PageAnalysis, PageFacts, ProbeFact, SiteFacts
from workbench.fetch.feeds import read_feed
from workbench.fetch.guard import ERR_PRIVATE, inventory_hosts
from workbench.fetch.http import make_session
from workbench.fetch.linkcheck import LinkOutcome
from workbench.fetch.linkcheck import _check as open_link
from workbench.indicators.base import Indicator, newest_on_or_before
from workbench.indicators.columns import ColumnBlank, ColumnsStale, ColumnStale, SurveyStale, judged
from workbench.indicators.media import MediaStale
from workbench.indicators.site_checks import Identity
from workbench.indicators.website import HomepageStale, Unreachable
from workbench.inspect import InspectError, read_live_page
from workbench.models import Finding, Inventory, MediaAccount, Website
from workbench.monitoring import monitoring_week
from workbench.reviewed import ReviewedQuarter, open_quarter
from workbench.rules import get, load_rules
from workbench.store.loaders import probes_between
from workbench.store.observations import unpickle
from workbench.store.rectification import RECHECK_LABELS, RecheckRow, save_rechecks
from workbench.urls import normalize_url

FIXED, NOT_FIXED, MANUAL = "fixed", "not_fixed", "manual"
RECHECK_COLUMNS = (
    "finding_id",
    "unit",
    "target",
    "indicator",
    "status",
    "checked_at",
    "evidence_url",
    "note",
)
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


def _manual(url: str, note: str) -> Verdict:
    return Verdict(MANUAL, url, note)


@dataclass(frozen=True)
class _Read:
    page: PageAnalysis | None
    links: list[tuple[str, str]]
    error: str


class Rechecker:
    """Re-judges the problems of one reviewed quarter at ``as_of`` (see the module doc)."""

    def __init__(
        self, view: ReviewedQuarter, rules: Mapping[str, Any], as_of: date, timeout: float
    ) -> None:
        self.view = view
        self.rules = rules
        self.as_of = as_of
        self.timeout = timeout
        self.websites = {w.url: w for w in view.websites}
        self.accounts = {(a.name, a.platform): a for a in view.media}
        self.allow_hosts = inventory_hosts(self.websites)
        self._pages: dict[str, _Read] = {}
        self._columns: dict[str, list[ColumnFacts]] = {}
        self._links: dict[str, LinkOutcome] = {}
        configure_wording(rules)  # the page analyzers match the office's own dictionary

    # --- fetching, once per URL ---------------------------------------------------------

    def read(self, url: str) -> _Read:
        if url not in self._pages:
            try:
                page, links = read_live_page(url, timeout=self.timeout, today=self.as_of)
                self._pages[url] = _Read(page, links, "")
            except InspectError as exc:
                self._pages[url] = _Read(None, [], str(exc))
        return self._pages[url]

    def open(self, url: str) -> LinkOutcome:
        if url not in self._links:
            self._links[url] = open_link(
                url,
                allow_hosts=self.allow_hosts,
                timeout=self.timeout,
                user_agent=get(self.rules, "fetch.user_agent"),
            )
        return self._links[url]

    def stored_columns(self, site_url: str) -> list[ColumnFacts]:
        """The site's columns as the quarter's crawl found them (its stored result)."""
        if site_url not in self._columns:
            payload = store.site_result_payload(self.view.engine, self.view.run_id, site_url)
            value = unpickle(payload) if payload is not None else None
            found = value.get("columns") if isinstance(value, dict) else None
            self._columns[site_url] = list(found or [])
        return self._columns[site_url]

    # --- judging --------------------------------------------------------------------------

    def facts(self, websites: Iterable[Website] = (), **parts: Any) -> Facts:
        inventory = Inventory(
            root=Path(self.view.run.inventory), websites=list(websites), media=list(self.view.media)
        )
        return Facts(quarter=self.view.quarter, as_of=self.as_of, inventory=inventory, **parts)

    def by_indicator(
        self, indicator: type[Indicator], facts: Facts, finding_id: str, evidence: str, fixed: str
    ) -> Verdict:
        """The indicator's own verdict on the refreshed facts: the same finding → 未整改."""
        for again in indicator().check(facts, self.rules):
            if again.finding_id == finding_id:
                return Verdict(NOT_FIXED, again.evidence_url or evidence, again.problem)
        return Verdict(FIXED, evidence, fixed)

    def judge(self, finding_id: str, finding: Finding) -> Verdict:
        judge = JUDGES.get(finding.indicator)
        if judge is None:
            reason = MANUAL_REASONS.get(finding.indicator, "该项问题不能由程序单独复查")
            return _manual(finding.evidence_url, f"{reason}。")
        try:
            return judge(self, finding_id, finding)
        except WorkbenchError as exc:
            return _manual(finding.evidence_url, f"复查未能完成（{exc}），须人工核查。")


# --- one function per indicator with a machine re-check ------------------------------------


def _website(ctx: Rechecker, finding: Finding) -> Website:
    url = finding.target if finding.target_kind == "website" else finding.detail.get("site_url")
    website = ctx.websites.get(str(url or ""))
    if website is None:
        raise WorkbenchError("本季度检查的名录中找不到该网站")
    return website


def _unread(url: str, read: _Read) -> Verdict:
    why = read.error.removesuffix("。") or "无法读取"
    return _manual(url, f"页面无法获取或读取（{why}），不能据此认定已整改，须人工核查。")


def _homepage_stale(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    website = _website(ctx, finding)
    read = ctx.read(website.url)
    if read.page is None:
        return _unread(website.url, read)
    page = read.page
    dates = [i.date for i in page.items if i.date is not None]
    if not dates:
        return _manual(
            page.final_url, "首页未读到带日期的信息（可能由脚本加载或为导航页），须人工核查。"
        )
    home = PageFacts(
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


def _refreshed(ctx: Rechecker, column: ColumnFacts) -> ColumnFacts | Verdict:
    """``column`` with its list's first page read now (newest, rows, blank, placeholder)."""
    read = ctx.read(column.url)
    if read.page is None:
        return _unread(column.url, read)
    page = read.page
    if page.script_list == "unread" and not any(i.date for i in page.items):
        note = page.script_note or "列表由脚本加载"
        return _manual(column.url, f"栏目列表无法读取（{note}），须人工核查。")
    items = list(page.items)
    dates = [i.date for i in items if i.date is not None]
    newest = max((d for d in dates if d <= ctx.as_of), default=None)
    seen = str((page.extras.get("column_signals") or {}).get("placeholder") or "")
    known = [str(p) for p in get(ctx.rules, "columns.placeholders", []) or []]
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
            return _manual(again.evidence_url, f"有栏目未能复查：{again.note}")
        fresh.append(again)
    facts = ctx.facts([website], columns=fresh)
    return ctx.by_indicator(
        ColumnsStale, facts, fid, website.url, f"复查{len(fresh)}个栏目，已不再构成栏目不更新。"
    )


def _identity(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    website = _website(ctx, finding)
    read = ctx.read(website.url)
    if read.page is None or not isinstance(read.page.extras.get("identity"), Mapping):
        return _unread(website.url, read)
    page = replace(read.page, depth=0)
    home = PageFacts(website.url, page.final_url, page.status, None, page.title)
    site = SiteFacts(website=website, homepage=home, pages=[page], crawl_complete=True)
    facts = ctx.facts([website], sites=[site])
    return ctx.by_indicator(Identity, facts, fid, page.final_url, "网站标识信息已齐全。")


def _wording(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    """A wording error (site.typo, or site.security's serious wording): the pages that showed
    it, read again. Any of them still showing it: 未整改; all read and clean: 已整改."""
    wrong = str(finding.detail.get("wrong") or "")
    if not wrong:
        reason = "该类安全问题（伪造发布日期、违规链接等）须人工核查"
        return _manual(finding.evidence_url, f"{reason}。")
    pages = [str(p) for p in finding.detail.get("pages") or [finding.evidence_url]]
    unread: list[str] = []
    for url in pages[:MAX_PAGES_PER_FINDING]:
        read = ctx.read(url)
        if read.page is None:
            unread.append(url)
            continue
        hits = read.page.extras.get("wording") or []
        if any(str(h.get("wrong")) == wrong for h in hits):
            return Verdict(NOT_FIXED, read.page.final_url or url, f"页面仍有“{wrong}”。")
    if unread:
        return _manual(
            unread[0], f"有{len(unread)}个页面无法获取，不能据此认定已整改，须人工核查。"
        )
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
    return _manual(evidence, f"链接未能打开（{why}），须人工核查：{target}")


def _unreachable(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    """站点无法访问: the probes recorded since (``workbench probe``), the monitoring week
    ending at the re-check's time, by the same rule."""
    website = _website(ctx, finding)
    days = int(get(ctx.rules, "website.unreachable.monitor_days", 7))
    rows = probes_between(
        ctx.view.engine, ctx.as_of - timedelta(days=days + 1), ctx.as_of + timedelta(days=1)
    )
    probes = [ProbeFact(r.url, r.time, bool(r.ok), r.elapsed_ms) for r in rows]
    mine = [p for p in probes if normalize_url(p.url) == normalize_url(website.url)]
    week = monitoring_week(
        mine,
        ctx.as_of,
        days=days,
        timeout_seconds=float(get(ctx.rules, "website.unreachable.timeout_seconds", 15)),
        not_before=ctx.as_of - timedelta(days=days),
    )
    if week is None:
        return _manual(website.url, "复查时间点前一周没有可用性探测记录，须人工核查。")
    facts = ctx.facts([website], probes=mine)
    found = list(Unreachable().check(facts, ctx.rules))
    if any(f.finding_id == fid for f in found):
        return Verdict(NOT_FIXED, website.url, next(f.problem for f in found))
    if found:  # too few probes on a day of the week: no verdict either way
        return _manual(website.url, found[0].problem)
    return Verdict(
        FIXED, website.url, f"监测周{week.total}次探测中失败{week.failed}次（{week.ratio:.2%}）。"
    )


def _account(ctx: Rechecker, finding: Finding) -> MediaAccount:
    account = ctx.accounts.get((finding.target, finding.platform))
    if account is None:
        raise WorkbenchError("本季度检查的名录中找不到该账号")
    return account


def _media_stale(ctx: Rechecker, fid: str, finding: Finding) -> Verdict:
    account = _account(ctx, finding)
    session = make_session(get(ctx.rules, "fetch.user_agent"))
    try:
        feed = read_feed(
            account.feed,
            base_dir=Path(ctx.view.run.inventory),
            timeout=ctx.timeout,
            json_mapping=get(ctx.rules, "media.json_mapping"),
            session=session,
            retries=int(get(ctx.rules, "fetch.retries", 1)),
        )
    finally:
        session.close()
    if not feed.ok:
        return _manual(
            feed.source, f"数据源无法读取（{feed.reason}），不能据此认定已整改，须人工核查。"
        )
    newest = newest_on_or_before((p.published for p in feed.posts), ctx.as_of)
    if newest is None:
        return _manual(feed.source, "数据源中没有复查时间点前带日期的发布信息，须人工核查。")
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


# --- the command ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecheckReport:
    quarter: str
    as_of: date
    rows: list[tuple[RecheckRow, Finding, str]]  # (row, the problem, its label)
    path: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for row, _, _ in self.rows if row.status == status)


def run_rules(view: ReviewedQuarter) -> dict[str, Any]:
    """The rules the quarter was judged with (its rules files), else the defaults."""
    try:
        return load_rules(list(view.run.rules_files))
    except RulesError:
        return load_rules([])


def recheck_quarter(
    quarter: str,
    *,
    db: str | None = None,
    as_of: date | None = None,
    timeout: float = 15.0,
) -> RecheckReport:
    """Re-check every problem of ``quarter`` at ``as_of`` (default today) and store the
    results (``store.rectification.save_rechecks``)."""
    from workbench.circular.targets import INCOMPLETE_INDICATOR
    from workbench.fetch.http import now_shanghai

    view = open_quarter(quarter, db=db)
    day = as_of or now_shanghai().date()
    if day < view.as_of:
        raise WorkbenchError(
            f"复查时间点{day.isoformat()}早于{view.quarter}季度的监测时间点{view.as_of.isoformat()}。"
        )
    checker = Rechecker(view, run_rules(view), day, timeout)
    labels = dict(zip(view.findings["finding_id"], view.findings["label"], strict=True))
    rows: list[tuple[RecheckRow, Finding, str]] = []
    for fid, finding in view.reviewed():
        if finding.indicator == INCOMPLETE_INDICATOR:
            continue
        verdict = checker.judge(fid, finding)
        row = RecheckRow(
            finding_id=fid,
            quarter=view.quarter,
            as_of=day,
            status=verdict.status,
            checked_at=store.now(),
            evidence_url=verdict.evidence_url,
            note=verdict.note,
        )
        rows.append((row, finding, str(labels.get(fid, finding.target))))
    save_rechecks(view.engine, [r for r, _, _ in rows])
    return RecheckReport(view.quarter, day, rows)


def write_recheck_csv(report: RecheckReport, path: Path) -> Path:
    """``recheck.csv`` (contract §1; UTF-8 with BOM for Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RECHECK_COLUMNS)
        for row, finding, _label in report.rows:
            writer.writerow(
                [
                    row.finding_id,
                    finding.unit,
                    finding.target,
                    finding.indicator,
                    RECHECK_LABELS[row.status],
                    row.checked_at.strftime("%Y-%m-%d %H:%M:%S"),
                    row.evidence_url,
                    row.note,
                ]
            )
    return path


__all__ = [
    "FIXED",
    "MANUAL",
    "NOT_FIXED",
    "RECHECK_COLUMNS",
    "RecheckReport",
    "Rechecker",
    "Verdict",
    "recheck_quarter",
    "save_rechecks",
    "write_recheck_csv",
]
