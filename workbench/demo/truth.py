"""What a correct check must and must not report about the demo city's planted problems.

``truth_entries`` reads the generated model, so every date it records is the one served.
Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from datetime import date, timedelta

from workbench.demo.city import AccountModel, Column, SiteModel, TruthEntry
from workbench.demo.issue17 import issue17_entries
from workbench.demo.issue21 import issue21_entries
from workbench.demo.planted import (
    ARTICLE_DEAD_LINK,
    BLANK_COLUMN,
    BLANK_SITE,
    BROKEN_SITE,
    COLUMNS_STALE_BELOW,
    COLUMNS_STALE_SITE,
    DEAD_LINK_SITE,
    GUIDES_FEW_SITE,
    GUIDES_POOR_SITE,
    HOME_DEAD_LINK,
    HOMEPAGE_FRESH_SITE,
    HOMEPAGE_STALE_SITE,
    IDENTITY_SITE,
    JCMS_SITE,
    NO_SERVICE_SITE,
    OPENNESS_SUBCOLUMNS,
    SCRIPT_PAGED_SITE,
    SECURITY_SITE,
    SECURITY_WORDING,
    SURVEY_STALE,
    THIN_PROBES_SITE,
    TOURISM_TOPICS,
    TRAP_SITE,
    TYPO_SITE,
    TYPO_WORDING,
    UNANSWERED,
    UNREACHABLE_SITE,
    XINFANG_ONLY_SITE,
)

COUNTED = {"动态要闻": 14, "通知公告": 183, "政策文件": 183}  # 栏目不更新 counts, cycle days


def _newest(column: Column) -> date:
    return max(item.published for item in column.items).date()


def truth_entries(
    as_of: date, sites: tuple[SiteModel, ...], accounts: tuple[AccountModel, ...]
) -> tuple[TruthEntry, ...]:
    """What a correct check must and must not report about the planted problems."""
    site = {s.key: s for s in sites}
    acct = {a.name: a for a in accounts}
    out: list[TruthEntry] = []

    def add(section: str, indicator: str, kind: str, ref: str, unit: str, **kw: object) -> None:
        out.append(TruthEntry(section, indicator, kind, ref, unit, **kw))  # type: ignore[arg-type]

    stale, fresh, broken = site[HOMEPAGE_STALE_SITE], site[HOMEPAGE_FRESH_SITE], site[BROKEN_SITE]
    add(
        "expected",
        "site.homepage_stale",
        "website",
        stale.key,
        stale.unit,
        veto=True,
        note="首页最新信息发布于监测时间点前15天；页面生成时间为监测当日（陷阱）",
        key_date=as_of - timedelta(days=15),
    )
    add(
        "expected",
        "check.incomplete",
        "website",
        broken.key,
        broken.unit,
        note="首页每次请求均返回HTTP 500，数据获取失败，不得判为违规",
    )
    for name in ("枫林文旅", "食安示范", "示范医保"):
        a = acct[name]
        newest = max(p.published for p in a.posts if p.published).date()
        add(
            "expected",
            "media.stale",
            "media",
            name,
            a.unit,
            veto=True,
            note=f"最新一条发布于监测时间点前{(as_of - newest).days}天",
            key_date=newest,
        )
    add(
        "expected",
        "media.unregistered",
        "media",
        "枫林文旅",
        acct["枫林文旅"].unit,
        note="是否备案=否",
    )
    add(
        "expected",
        "check.incomplete",
        "media",
        "示范信访",
        acct["示范信访"].unit,
        note="数据源返回HTTP 500",
    )
    add(
        "expected",
        "check.incomplete",
        "media",
        "示范应急发布",
        acct["示范应急发布"].unit,
        note="数据源中的信息均无发布时间",
    )

    add(
        "expected",
        "site.column_stale",
        "column",
        f"{stale.key}/gzdt",
        stale.unit,
        since="issue-4",
        note="工作动态栏目最新信息在15天前（首页不更新的伴随问题）",
        key_date=_newest(stale.column("gzdt")),
    )
    for key in SURVEY_STALE:
        s = site[key]
        add(
            "expected",
            "site.survey_stale",
            "column",
            f"{key}/dczj",
            s.unit,
            since="issue-4",
            note="调查征集栏目1年内无活动",
            key_date=_newest(s.column("dczj")),
        )
    wlj = site["wlj"]
    for key, (name, newest_off) in TOURISM_TOPICS.items():
        section = "expected" if newest_off > 365 else "not_expected"
        add(
            section,
            "site.column_stale",
            "column",
            f"wlj/{key}",
            wlj.unit,
            since="issue-4",
            note=f"“{name}”专题最新信息在{newest_off}天前",
            key_date=_newest(wlj.column(key)),
        )
    add(
        "not_expected",
        "site.columns_stale",
        "website",
        "wlj",
        wlj.unit,
        since="issue-4",
        note="仅3个栏目超期，未达单项否决条件",
    )
    portal = site["portal"]
    for key, (name, lead, sparse) in OPENNESS_SUBCOLUMNS.items():
        col = portal.column(key)
        add(
            "expected" if sparse else "not_expected",
            "openness.column_sparse",
            "column",
            f"portal/{key}",
            lead,
            since="issue-6",
            note=f"“{name}”子栏目本年度公开{len(col.items)}条信息",
            key_date=_newest(col),
        )
    slj = site["slj"]
    for item in slj.column("zcwj").items:
        number = item.doc_number or item.title
        forms = {it.form for it in slj.column("zcjd").items if it.item_id in item.related}
        if item.normative and len(forms) < 2:
            missing = ["问答", "访谈", "图解", "音频", "H5"]
            missing = [f for f in missing if f not in forms]
            problem = f"缺{'、'.join(missing)}等其中{2 - len(forms)}种形式的政策解读"
            add(
                "expected",
                "policy.interpretation_missing",
                "document",
                number,
                slj.unit,
                since="issue-6",
                note=problem,
                key_date=item.published.date(),
            )
        elif item.doc_number and item.doc_number.startswith("示水字"):
            why = "已有问答、图解两种解读形式" if item.normative else "会议通知，非规范性文件"
            add(
                "not_expected",
                "policy.interpretation_missing",
                "document",
                number,
                slj.unit,
                since="issue-6",
                note=why,
                key_date=item.published.date(),
            )

    add(
        "not_expected",
        "site.homepage_stale",
        "website",
        fresh.key,
        fresh.unit,
        note="首页最新信息发布于监测时间点前13天（边界）",
        key_date=as_of - timedelta(days=13),
    )
    add(
        "not_expected",
        "site.column_stale",
        "column",
        f"{fresh.key}/gzdt",
        fresh.unit,
        since="issue-4",
        note="工作动态栏目最新信息在13天前（边界）",
        key_date=_newest(fresh.column("gzdt")),
    )
    add(
        "not_expected",
        "site.homepage_stale",
        "website",
        broken.key,
        broken.unit,
        note="数据获取失败不是首页不更新",
    )
    add(
        "not_expected",
        "site.unreachable",
        "website",
        broken.key,
        broken.unit,
        note="没有一周的可用性监测记录，不能据此判定站点无法访问",
    )
    for name in ("示范商务", "示范林业发布"):
        a = acct[name]
        newest = max(p.published for p in a.posts if p.published).date()
        add(
            "not_expected",
            "media.stale",
            "media",
            name,
            a.unit,
            note=f"最新一条发布于监测时间点前{(as_of - newest).days}天（边界）",
            key_date=newest,
        )
    for name in ("示范信访", "示范应急发布"):
        add(
            "not_expected",
            "media.stale",
            "media",
            name,
            acct[name].unit,
            note="数据获取失败不是未更新",
        )
    add(
        "not_expected",
        "media.unregistered",
        "media",
        "食安示范",
        acct["食安示范"].unit,
        note="已备案",
    )
    return (
        tuple(out)
        + issue4_entries(as_of, site)
        + issue13_entries(site)
        + issue14_entries(site)
        + issue17_entries(as_of, site, acct)
        + issue21_entries(as_of, site)
    )


def issue4_entries(as_of: date, site: dict[str, SiteModel]) -> tuple[TruthEntry, ...]:
    """Issue 4's website problems: 栏目不更新, 空白栏目, broken links, identity, wording, 互动."""
    out: list[TruthEntry] = []

    def add(section: str, indicator: str, kind: str, ref: str, unit: str, **kw: object) -> None:
        kw.setdefault("since", "issue-4")
        out.append(TruthEntry(section, indicator, kind, ref, unit, **kw))  # type: ignore[arg-type]

    for key in (COLUMNS_STALE_SITE, COLUMNS_STALE_BELOW):
        s = site[key]
        first = [c for c in s.columns if c.category in COUNTED and c.parent is None and c.items]
        stale = [c for c in first if (as_of - _newest(c)).days > COUNTED[c.category]]
        for col in stale:
            days = (as_of - _newest(col)).days
            add(
                "expected",
                "site.column_stale",
                "column",
                f"{key}/{col.key}",
                s.unit,
                note=f"一级栏目“{col.name}”最新信息在{days}天前（周期{COUNTED[col.category]}天）",
                key_date=_newest(col),
            )
        add(
            "expected" if len(stale) >= 5 else "not_expected",
            "site.columns_stale",
            "website",
            key,
            s.unit,
            veto=len(stale) >= 5,
            note=f"2周未更新的动态要闻类与6个月未更新的一级通知公告、政策文件类栏目合计{len(stale)}个"
            + ("（达到5个）" if len(stale) >= 5 else "，未达单项否决条件"),
        )
    blank = site[BLANK_SITE]
    add(
        "expected",
        "site.column_blank",
        "column",
        f"{BLANK_SITE}/{BLANK_COLUMN[0]}",
        blank.unit,
        note=f"“{BLANK_COLUMN[1]}”栏目无任何信息，页面显示“暂无信息”",
    )
    dead = site[DEAD_LINK_SITE]
    for where, (anchor, path) in (("首页", HOME_DEAD_LINK), ("文章页", ARTICLE_DEAD_LINK)):
        add(
            "expected",
            "site.link_broken",
            "website",
            DEAD_LINK_SITE,
            dead.unit,
            key_path=path,
            note=f"{where}链接“{anchor}”指向的页面不存在（HTTP 404）",
        )
    add(
        "expected",
        "site.identity",
        "website",
        IDENTITY_SITE,
        site[IDENTITY_SITE].unit,
        key_path="identity",
        note="网站首页未展示公安机关备案标识（其他标识齐全）",
    )
    wrong, right, category = SECURITY_WORDING
    add(
        "expected",
        "site.security",
        "website",
        SECURITY_SITE,
        site[SECURITY_SITE].unit,
        veto=True,
        key_path=f"wording:{wrong}",
        note=f"文章正文中“{wrong}”应为“{right}”（{category}）",
    )
    add(
        "expected",
        "site.typo",
        "website",
        TYPO_SITE,
        site[TYPO_SITE].unit,
        key_path=f"wording:{TYPO_WORDING[0]}",
        note=f"文章正文中“{TYPO_WORDING[0]}”应为“{TYPO_WORDING[1]}”",
    )
    for key, days in UNANSWERED.items():
        late = days > 90
        add(
            "expected" if late else "not_expected",
            "site.interaction_poor",
            "website",
            key,
            site[key].unit,
            veto=late,
            key_path="unanswered" if late else None,
            note=f"互动交流栏目有1条留言于监测时间点前{days}天提出，至今未回复"
            + ("（超过3个月）" if late else "（未超过3个月，边界）"),
            key_date=as_of - timedelta(days=days),
        )
    return tuple(out)


def issue13_entries(site: dict[str, SiteModel]) -> tuple[TruthEntry, ...]:
    """Issue 13's rules as the national text reads them, each at its threshold."""
    out: list[TruthEntry] = []

    def add(section: str, indicator: str, key: str, **kw: object) -> None:
        kw.setdefault("since", "issue-13")
        out.append(TruthEntry(section, indicator, "website", key, site[key].unit, **kw))  # type: ignore[arg-type]

    add("expected", "site.unreachable", UNREACHABLE_SITE, veto=True,
        note="监测周（截至监测时间点前一天20时）168次探测中10次失败（均在第一天），占5.95%，超过（含）5%")  # fmt: skip
    add("not_expected", "site.unreachable", TRAP_SITE,
        note="监测周在监测时间点前一天晚上结束，168次探测中8次失败（4.76%）；丢掉第一天会误读为8/141")  # fmt: skip
    add("expected", "check.incomplete", THIN_PROBES_SITE,
        note="监测周中有1天仅探测10次（不足20次），无法判断站点是否无法访问")  # fmt: skip
    add("not_expected", "site.unreachable", THIN_PROBES_SITE, note="探测次数不足时不作判定")
    add("expected", "site.interaction_poor", XINFANG_ONLY_SITE, veto=True, key_path="no_channel",
        note="互动交流栏目中只有网上信访和纪检举报，没有有效的在线咨询渠道")  # fmt: skip
    add("not_expected", "site.interaction_poor", TRAP_SITE,
        note="网上信访栏目中有1条信件200天未回复：信访不是政务咨询类栏目")  # fmt: skip
    add("not_expected", "site.security", TRAP_SITE,
        note="动态栏目中有监测时间点之后发布的信息：检查在其后进行，不是伪造发布日期")  # fmt: skip
    add("not_expected", "site.columns_stale", TRAP_SITE,
        note="留言板列表只显示回复状态，不显示日期：互动类栏目不按信息栏目判定")  # fmt: skip
    add("expected", "site.service_poor", GUIDES_POOR_SITE, veto=True, key_path="guides",
        note="5个办事指南均缺少4类关键要素（缺失4类及以上）")  # fmt: skip
    add("expected", "site.service_poor", GUIDES_FEW_SITE, veto=True, key_path="guides",
        note="网站仅有3个办事指南，均缺少4类关键要素")  # fmt: skip
    add("not_expected", "site.service_poor", TRAP_SITE,
        note="6个办事指南中4个缺少4类关键要素，不足5个，且并非全部")  # fmt: skip
    add("not_expected", "site.service_poor", NO_SERVICE_SITE,
        note="名录中对外服务职能为“无”：不提供办事服务不属于服务不实用")  # fmt: skip
    return tuple(out)


def issue14_entries(site: dict[str, SiteModel]) -> tuple[TruthEntry, ...]:
    """Issue 14: the 规范性文件 only on page 2 of a script-paged list is found (and its
    missing interpretations reported); the JCMS site's datastore columns are neither blank
    nor stale (the site is healthy: no finding at all)."""
    fgw, jcms = site[SCRIPT_PAGED_SITE], site[JCMS_SITE]
    doc = next(it for it in fgw.column("zcwj").items if it.normative)
    assert doc.doc_number is not None
    out = [
        TruthEntry(
            "expected",
            "policy.interpretation_missing",
            "document",
            doc.doc_number,
            fgw.unit,
            since="issue-14",
            # on page 2 of a createPageHTML list only; the note is the finding's wording
            note="缺问答、访谈、图解、音频、H5等其中2种形式的政策解读",
            key_date=doc.published.date(),
        ),
        TruthEntry(
            "not_expected",
            "site.columns_stale",
            "website",
            jcms.key,
            jcms.unit,
            since="issue-14",
            note="大汉JCMS站点：各栏目列表在jpage数据岛中，读取后均有近期信息，不是空白栏目",
        ),
    ]
    return tuple(out)
