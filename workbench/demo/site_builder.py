"""Generating one healthy website of the demo city, with planted deviations applied.

A healthy site's columns all sit inside their cycles (indicators.md): 动态 newest 1–4 days
before as_of, 通知公告 within 40 days, 政策文件 within 50 days (no 规范性文件), 调查征集 with
8 activities in the year, 互动交流 answered, 办事指南 with all key elements. Offsets are
Asia/Shanghai calendar days before as_of.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from workbench.demo import catalog
from workbench.demo.catalog import UnitSpec
from workbench.demo.city import Clock, Column, Item, SiteModel, offsets


def plain_column(
    clock: Clock,
    key: str,
    col_id: int,
    name: str,
    category: str,
    titles: list[str],
    day_offsets: list[int],
    *,
    kind: str = "article",
    parent: str | None = None,
    unit: str | None = None,
    on_homepage: bool = True,
) -> Column:
    """A column whose items take ``titles`` in turn at ``day_offsets``."""
    items: list[Item] = []
    for i, off in enumerate(day_offsets):
        published = clock.stamp(off)
        asked = None
        if kind == "consultation":
            asked = published - timedelta(
                days=clock.rng.randint(1, 6), hours=clock.rng.randint(1, 5)
            )
        items.append(Item(clock.new_id(), titles[i % len(titles)], published, kind, asked=asked))
    return Column(key, col_id, name, category, tuple(items), parent, unit, on_homepage)


def topic_titles(
    rng: random.Random, who: str, topics: tuple[str, ...], year: int, n: int
) -> list[str]:
    """``n`` titles cycling through ``topics`` in a shuffled order (repeats only after a full round)."""
    order = list(topics)
    rng.shuffle(order)
    picks = [order[i % len(order)] for i in range(n)]
    return [(who + t).replace("{y}", str(year)) for t in picks]


@dataclass(frozen=True)
class ColumnPlan:
    """An extra column to add to a site: titles taken in turn at ``day_offsets`` (days before as_of)."""

    key: str
    name: str
    category: str
    titles: tuple[str, ...]
    day_offsets: tuple[int, ...]
    parent: str | None = None
    unit: str | None = None
    on_homepage: bool = False


PolicyBuilder = Callable[[Clock, int], tuple[Column, Column]]


@dataclass(frozen=True)
class SiteTuning:
    """Planted deviations for one site (see ``planted.py``)."""

    min_offset: int = 0  # no item newer than this many days before as_of
    survey_newest: int | None = None  # newest 调查征集 item, days before as_of
    broken: bool = False
    trap: bool = False
    extra_columns: tuple[ColumnPlan, ...] = ()
    policy: PolicyBuilder | None = None  # replaces 政策文件 + 政策解读
    # newest item of a built-in column (gzdt / tzgg / zcwj), days before as_of
    column_newest: tuple[tuple[str, int], ...] = ()
    hide_psb: bool = False  # footer without the 公安备案 number
    home_dead_link: tuple[str, str] | None = None  # (anchor, path not served) on the homepage
    article_dead_link: tuple[str, str] | None = None  # … in the newest 动态 article
    article_note: str | None = None  # extra paragraph of the newest 动态 article
    unanswered_days: int | None = None  # a 互动交流 message asked then, never answered
    # Issue 13's traps (planted.issue13_tunings):
    after_items: tuple[int, ...] = ()  # 动态 items dated this many days AFTER as_of
    status_board: bool = False  # the 互动交流 list shows 回复状态 instead of dates
    xinfang_letter: int | None = None  # a 网上信访 column, one letter unanswered since then
    xinfang_only: bool = False  # 互动交流 is a section holding only 网上信访 and 纪检举报
    guide_missing: tuple[int, ...] | None = None  # key categories each 办事指南 lacks
    no_service: bool = False  # no 办事服务 column at all
    style: str | None = None  # CMS flavour instead of the site's turn (issue 14: jcms, trs)
    script_paging: bool = False  # trs lists paged by createPageHTML only (issue 14)


def policy_columns(
    clock: Clock, spec: UnitSpec, base: int, min_offset: int
) -> tuple[Column, Column]:
    """Healthy 政策文件 (non-normative work plans) and 政策解读 (one 文字/图解 per document)."""
    rng, year = clock.rng, clock.as_of.year
    stem = "".join(ch for ch in spec.unit if ch not in "市局委办区县示范") or "政"
    prefix = f"{spec.short[0]}政发" if spec.kind == "门户网站" else f"示{stem[0]}发"
    docs: list[Item] = []
    interps: list[Item] = []
    for i, off in enumerate(offsets(rng, max(min_offset, rng.randint(5, 50)), 8, (15, 40))):
        inner = catalog.POLICY_TOPICS[i % len(catalog.POLICY_TOPICS)].format(y=year)
        title = f"{spec.unit}关于印发《{inner}》的通知"
        number = f"{prefix}〔{clock.day(off).year}〕{40 - i * 3}号" if i % 2 == 0 else None
        published = clock.stamp(off)
        doc_id = clock.new_id()
        related: tuple[int, ...] = ()
        if i < 4:
            form = "图解" if i % 2 else "文字"
            label = f"图解：《{inner}》" if form == "图解" else f"《{inner}》解读"
            interp_id = clock.new_id()
            interps.append(
                Item(
                    interp_id,
                    label,
                    published + timedelta(minutes=30),
                    "interpretation",
                    form=form,
                    related=(doc_id,),
                )
            )
            related = (interp_id,)
        docs.append(Item(doc_id, title, published, "document", doc_number=number, related=related))
    return (
        Column("zcwj", base + 3, "政策文件", "政策文件", tuple(docs)),
        Column("zcjd", base + 4, "政策解读", "政策解读", tuple(interps)),
    )


def build_site(
    spec: UnitSpec, index: int, rng: random.Random, as_of: date, tuning: SiteTuning
) -> SiteModel:
    """A healthy site for ``spec`` with ``tuning`` applied."""
    clock = Clock(as_of, rng)
    year, lo = as_of.year, tuning.min_offset
    base = 100 * (index + 1)
    styles = ("trs", "hanweb", "table")
    is_gov = spec.kind != "事业单位网站"
    news_name = {"门户网站": "要闻动态", "部门网站": "工作动态"}.get(spec.kind, "单位动态")
    newest = dict(tuning.column_newest)
    news_newest = newest.get("gzdt", lo if lo else rng.randint(1, 4))
    cols: list[Column] = [
        plain_column(
            clock,
            "gzdt" if spec.kind != "门户网站" else "ywdt",
            base + 1,
            news_name,
            "动态要闻",
            topic_titles(rng, spec.unit, catalog.NEWS_TOPICS, year, 36),
            offsets(rng, news_newest, 36, (1, 4)),
        ),
    ]
    if spec.key == "portal":
        for k, name, cid in (("bmdt", "部门动态", 11), ("qxdt", "区县动态", 12)):
            who = (
                [u for _, u, *_ in catalog.DEPARTMENTS]
                if k == "bmdt"
                else [d[1] for d in catalog.DISTRICTS]
            )
            titles = [f"{who[i % len(who)]}{catalog.NEWS_TOPICS[(i * 7) % 16]}" for i in range(30)]
            cols.append(
                plain_column(
                    clock,
                    k,
                    base + cid,
                    name,
                    "动态要闻",
                    titles,
                    offsets(rng, max(lo, rng.randint(1, 3)), 30, (1, 3)),
                )
            )
    elif spec.kind == "门户网站":
        titles = [f"{spec.unit}某街道{catalog.NEWS_TOPICS[(i * 5) % 16]}" for i in range(24)]
        cols.append(
            plain_column(
                clock,
                "xzdt",
                base + 11,
                "乡镇（街道）动态",
                "动态要闻",
                titles,
                offsets(rng, max(lo, rng.randint(1, 5)), 24, (1, 5)),
            )
        )
    cols.append(
        plain_column(
            clock,
            "tzgg",
            base + 2,
            "通知公告",
            "通知公告",
            topic_titles(rng, "", catalog.NOTICE_TOPICS, year, 14),
            offsets(rng, newest.get("tzgg", max(lo, rng.randint(3, 40))), 14, (8, 25)),
        )
    )
    if is_gov:
        if tuning.policy is not None:
            cols += list(tuning.policy(clock, base))
        else:
            cols += list(policy_columns(clock, spec, base, newest.get("zcwj", lo)))
        survey_newest = tuning.survey_newest or max(lo, rng.randint(5, 40))
        n_survey = 8 if tuning.survey_newest is None else 4
        cols.append(
            plain_column(
                clock,
                "dczj",
                base + 5,
                "调查征集",
                "调查征集",
                topic_titles(rng, "", catalog.SURVEY_TOPICS, year, n_survey),
                offsets(rng, survey_newest, n_survey, (20, 38)),
                on_homepage=False,
            )
        )
    if tuning.xinfang_only:
        cols += _xinfang_section(clock, base, lo)
    else:
        board = plain_column(
            clock,
            "hdjl",
            base + 6,
            "互动交流",
            "互动交流",
            topic_titles(rng, "", catalog.CONSULT_TOPICS, year, 18),
            offsets(rng, max(lo, rng.randint(1, 10)), 18, (3, 10)),
            kind="consultation",
            on_homepage=False,
        )
        cols.append(replace(board, status_list=tuning.status_board))
    if tuning.xinfang_letter is not None:
        cols.append(_xinfang_column(clock, "wsxf", base + 8, "网上信访", tuning.xinfang_letter))
    if not tuning.no_service:
        cols.append(_guides_column(clock, spec, base, lo, tuning.guide_missing))
    for j, plan in enumerate(tuning.extra_columns):
        cols.append(
            plain_column(
                clock,
                plan.key,
                base + 20 + j,
                plan.name,
                plan.category,
                list(plan.titles),
                list(plan.day_offsets),
                parent=plan.parent,
                unit=plan.unit,
                on_homepage=plan.on_homepage,
            )
        )
    if tuning.unanswered_days is not None:
        cols = [_with_unanswered(clock, c, tuning.unanswered_days) for c in cols]
    if tuning.after_items:  # the check runs after the check point: later items are on the site
        later = [
            Item(clock.new_id(), f"{spec.unit}{catalog.NEWS_TOPICS[d % 16]}", clock.stamp(-d))
            for d in sorted(tuning.after_items, reverse=True)
        ]
        cols[0] = replace(cols[0], items=(*later, *cols[0].items))
    news = cols[0].items[len(tuning.after_items)].item_id
    # 网站标识码: 6-digit division code + 4 digits; districts carry their own fictional division.
    division = (
        f"4399{index:02d}" if spec.kind == "门户网站" and index > 0 else catalog.CITY_DIVISION
    )
    site_code = f"{division}0001" if spec.kind == "门户网站" else f"{division}{index + 1:04d}"
    return SiteModel(
        key=spec.key,
        unit=spec.unit,
        name=spec.site_name,
        kind=spec.kind,
        site_code=site_code,
        icp=f"{catalog.ICP_PREFIX}ICP备{rng.randint(10_000_000, 22_999_999)}号",
        psb=f"{division}{rng.randint(10_000_000, 99_999_999)}",
        conac_id=f"{rng.randint(10**12, 10**13 - 1)}",
        style=tuning.style or styles[index % 3],
        script_paging=tuning.script_paging,
        columns=tuple(cols),
        broken=tuning.broken,
        regenerated=datetime.combine(as_of, time(2, 0)) if tuning.trap else None,
        show_psb=not tuning.hide_psb,
        home_links=(tuning.home_dead_link,) if tuning.home_dead_link else (),
        article_links=((news, *tuning.article_dead_link),) if tuning.article_dead_link else (),
        article_notes=((news, tuning.article_note),) if tuning.article_note else (),
    )


def _with_unanswered(clock: Clock, col: Column, days: int) -> Column:
    """``col`` (if 互动交流) with one message asked ``days`` before as_of and never answered."""
    if col.category != "互动交流":
        return col
    asked = clock.stamp(days)
    title = "关于补贴申领进度的咨询"
    item = Item(clock.new_id(), title, asked, "consultation", asked=asked, answered=False)
    items = sorted((*col.items, item), key=lambda it: it.published, reverse=True)
    return replace(col, items=tuple(items))


GUIDE_CATEGORIES = 8  # 办事指南 key element categories (indicators.md, site.service_poor)


def _guides_column(
    clock: Clock, spec: UnitSpec, base: int, lo: int, missing: tuple[int, ...] | None
) -> Column:
    """办事服务: six complete 办事指南, or one guide per entry of ``missing`` lacking that many
    of the 8 key element categories."""
    counts = missing if missing is not None else (0,) * len(catalog.GUIDE_TOPICS)
    topics = [catalog.GUIDE_TOPICS[i % len(catalog.GUIDE_TOPICS)] for i in range(len(counts))]
    column = plain_column(
        clock,
        "bsfw",
        base + 7,
        "办事服务",
        "其他",
        [f"{spec.unit}{t}办事指南" for t in topics],
        offsets(clock.rng, max(lo, clock.rng.randint(10, 60)), len(counts), (20, 45)),
        kind="guide",
        on_homepage=False,
    )
    items = tuple(replace(it, missing=n) for it, n in zip(column.items, counts, strict=True))
    return replace(column, items=items)


XINFANG_TOPICS = ("关于小区噪音问题的反映", "关于道路积水问题的反映", "关于拖欠工资问题的反映")


def _xinfang_column(clock: Clock, key: str, col_id: int, name: str, unanswered: int | None,
                    parent: str | None = None) -> Column:  # fmt: skip
    """A 网上信访 (or 纪检举报) column of answered letters, one left unanswered ``unanswered``
    days before as_of when given. Not a 政务咨询 column: its letters are no 互动回应差."""
    titles = [t.replace("反映", "举报") if "举报" in name else t for t in XINFANG_TOPICS]
    column = plain_column(
        clock, key, col_id, name, "互动交流", titles, offsets(clock.rng, 6, 6, (8, 20)),
        kind="consultation", parent=parent, on_homepage=False,
    )  # fmt: skip
    if unanswered is None:
        return column
    asked = clock.stamp(unanswered)
    letter = Item(clock.new_id(), titles[0], asked, "consultation", asked=asked, answered=False)
    return replace(column, items=tuple(sorted((*column.items, letter),
                                             key=lambda it: it.published, reverse=True)))  # fmt: skip


def _xinfang_section(clock: Clock, base: int, lo: int) -> list[Column]:
    """互动交流 as a section whose only channels are 网上信访 and 纪检举报 (no 政务咨询)."""
    section = Column("hdjl", base + 6, "互动交流", "互动交流", (), on_homepage=False)
    return [
        section,
        _xinfang_column(clock, "wsxf", base + 8, "网上信访", None, parent="hdjl"),
        _xinfang_column(clock, "jjjb", base + 9, "纪检举报", None, parent="hdjl"),
    ]
