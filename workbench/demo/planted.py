"""The planted problems of the demo city, and the truth recorded about them.

Each planted problem sits at its threshold and one step either side (13 / 14 / 15 days for the
two-week rules). ``since`` names the development stage whose indicators can see it:
``foundation`` (homepage and new-media staleness, registration, incomplete data),
``issue-4`` (columns, 调查征集, 栏目不更新 5/4, 空白栏目, 404 links, identity, wording, 互动
留言 100/80 days unanswered), ``issue-6`` (政策解读 and 政务公开 专栏).
Days are counted back from as_of in Asia/Shanghai calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workbench.demo import issue17, issue21
from workbench.demo.accounts import AccountPlant
from workbench.demo.city import Clock, Column, Item
from workbench.demo.site_builder import ColumnPlan, SiteTuning

HOMEPAGE_STALE_SITE = "tjj"  # 市统计局: newest homepage item 15 days before as_of
HOMEPAGE_FRESH_SITE = "lyj"  # 市林业局: 13 days, healthy
BROKEN_SITE = "lcj"  # 市粮储局: HTTP 500 on every request
SURVEY_STALE = {"jyj": 468, "zgj": 402}  # 调查征集 newest item, days before as_of
TOURISM_TOPICS = {  # 市文旅广体局 专题: key -> (name, newest item in days before as_of)
    "qyly": ("全域旅游", 420),
    "hlj": ("示范欢乐节", 610),
    "whys": ("文化艺术", 388),
    "wlxf": ("文旅消费季", 12),
}
# 专栏 sub-columns on the portal: key -> (name, lead unit, sparse?)
OPENNESS_SUBCOLUMNS = {
    "jyxx": ("教育信息", "市教育局", True),
    "slyd": ("算力建设行动", "市工信局", True),
    "qyss": ("企业上市跃升行动", "市金融办", True),
    "yshj": ("优化营商环境", "市发改委", False),
    "czyj": ("财政预决算", "市财政局", False),
    "jycy": ("就业创业", "市人社局", False),
    "ylws": ("医疗卫生", "市卫健委", False),
    "scjg": ("市场监管", "市市场监督管理局", False),
}
OPENNESS_PARENT = "zwgkgzyd"

# Issue 4's website problems, one department site each. 栏目不更新: first-level columns of the
# counted kinds, one day past their cycle (动态要闻 15 days, 通知公告/政策文件 184 days).
COLUMNS_STALE_SITE = "jtj"  # 市交通局: 5 such columns → veto
COLUMNS_STALE_BELOW = "zjj"  # 市住建局: 4 → no veto (each column still stale)
STALE_COLUMN_NEWEST = (("gzdt", 15), ("tzgg", 184), ("zcwj", 184))
# (key, name, category, newest item in days before as_of)
EXTRA_NEWS = ("hydt", "行业动态", "动态要闻", 15)  # a second 动态要闻 column
EXTRA_NOTICE = ("gsgg", "公示公告", "通知公告", 184)  # a second first-level 通知公告 column
FRESH_HOME = ("tpxw", "图片新闻", "动态要闻", 2)  # keeps the homepage itself fresh
BLANK_SITE, BLANK_COLUMN = "czj", ("zxzj", "专项资金信息")  # 市财政局: 暂无信息
DEAD_LINK_SITE = "kjj"  # 市科技局
HOME_DEAD_LINK = ("科技创新专题", "/ztzl/kjcx/index.html")
ARTICLE_DEAD_LINK = ("相关阅读：科技项目申报通知", "/kjxm/sbtz.html")
IDENTITY_SITE = "mzj"  # 市民政局: footer without the 公安备案 number
SECURITY_SITE = "sfj"  # 市司法局
SECURITY_WORDING = ("不忘出心", "不忘初心", "重要提法错误")
TYPO_SITE = "nyj"  # 市农业农村局
TYPO_WORDING = ("再接再励", "再接再厉")
UNANSWERED = {"rsj": 100, "swj": 80}  # 互动交流 message never answered, asked days before as_of

# Issue 13's traps. 市卫健委 is healthy under the national text although it exercises every
# trap a checker has misread: items dated after the check point (the check runs later), a
# message board listing 回复状态 instead of dates, a 网上信访 letter unanswered for 200 days
# (信访 is no 政务咨询 column), a probe week ending the evening before the check time with
# 8 failures of 168 (4.76 %), and 4 of its 6 办事指南 missing exactly 4 categories (fewer
# than 5 poor guides).
TRAP_SITE = "wjw"
TRAP_AFTER_DAYS = (3, 8)  # 动态 items dated 3 and 8 days after as_of
TRAP_XINFANG_DAYS = 200
TRAP_GUIDES = (4, 4, 4, 4, 0, 0)
XINFANG_ONLY_SITE = "xfj"  # 市信访局: its only channels are 网上信访 and 纪检举报 → veto
GUIDES_POOR_SITE = "yjj"  # 市应急管理局: 5 guides each missing 4 categories → veto
GUIDES_FEW_SITE = "tyjrj"  # 市退役军人事务局: 3 guides, all missing 4 categories → veto
NO_SERVICE_SITE = "jgswj"  # 市机关事务局: 对外服务职能 无, no 办事服务 at all → no finding
UNREACHABLE_SITE = "spj"  # 市行政审批服务局: 10 of 168 probes failed (5.95 %) → veto
THIN_PROBES_SITE = "ybj"  # 市医保局: one day of its week holds 10 probes → check.incomplete


@dataclass(frozen=True)
class ProbePlan:
    """Hourly probes of one homepage (probes.csv), the last ``end_hours`` after the start of
    the check day (negative: the evening before). The first ``failed_first`` and the last
    ``failed_last`` probes fail; one day of the week keeps only ``thin_day`` probes when given.
    """

    failed_first: int = 0
    failed_last: int = 0
    end_hours: int = -4  # 20:00 the evening before the check day
    count: int = 168
    thin_day: int | None = None


# 市卫健委: 8 failures on the last day (8/168, no veto; a week cut at check time − 6 days
# would read 8/141 and veto). 市行政审批服务局: 10 failures on the first day of the week
# (10/168 = 5.95 %, a veto that a week cut at check time − 6 days would lose).
PROBE_PLANS = {
    TRAP_SITE: ProbePlan(failed_last=8),
    UNREACHABLE_SITE: ProbePlan(failed_first=10),
    THIN_PROBES_SITE: ProbePlan(thin_day=10),
}


def probe_rows(as_of: date, plan: ProbePlan) -> list[tuple[datetime, bool]]:
    """(time, ok) of the plan's probes, oldest first (naive Asia/Shanghai wall-clock)."""
    last = datetime.combine(as_of, datetime.min.time()) + timedelta(hours=plan.end_hours)
    n = plan.count
    rows = [
        (last - timedelta(hours=n - 1 - i), plan.failed_first <= i < n - plan.failed_last)
        for i in range(n)
    ]
    if plan.thin_day is not None:  # the fifth day back keeps only thin_day probes
        lo, hi = last - timedelta(days=5), last - timedelta(days=4)
        day = [r for r in rows if lo < r[0] <= hi]
        rows = sorted([r for r in rows if not lo < r[0] <= hi] + day[: plan.thin_day])
    return rows


def issue13_tunings() -> dict[str, SiteTuning]:
    """The sites of issue 13's traps (see the constants above)."""
    return {
        TRAP_SITE: SiteTuning(
            after_items=TRAP_AFTER_DAYS,
            status_board=True,
            xinfang_letter=TRAP_XINFANG_DAYS,
            guide_missing=TRAP_GUIDES,
        ),
        XINFANG_ONLY_SITE: SiteTuning(xinfang_only=True),
        GUIDES_POOR_SITE: SiteTuning(guide_missing=(4, 4, 4, 4, 4)),
        GUIDES_FEW_SITE: SiteTuning(guide_missing=(4, 4, 4)),
        NO_SERVICE_SITE: SiteTuning(no_service=True),
    }


# 对外服务职能 (contract §2) written in the inventory: 有 for portals and departments, 无 for
# the units below; empty for 事业单位 (无 by default).
WITHOUT_SERVICE_UNITS = frozenset({NO_SERVICE_SITE})

ACCOUNT_PLANTS = {
    "枫林文旅": AccountPlant(newest=22, registered=False),
    "食安示范": AccountPlant(newest=18),
    "示范医保": AccountPlant(newest=15),
    "示范商务": AccountPlant(newest=14),
    "示范林业发布": AccountPlant(newest=13),
    "示范信访": AccountPlant(broken=True),
    "示范应急发布": AccountPlant(undated=True),
    # Issue 17 (media.mismatch, workbench.demo.issue17):
    "示范审计": AccountPlant(certified_by="示范市某某文化传媒有限公司"),
    "示范统计": AccountPlant(listed_unit="lyj"),
    "明湖政务服务": AccountPlant(rename="明湖官方发布"),
    "示范城管": AccountPlant(closed=True),
    "示范粮储": AccountPlant(newest=200, closed=True),
}
ISSUE17_ACCOUNTS = ("示范审计", "示范统计", "明湖发布", "明湖官方发布", "示范城管", "示范粮储")


def _year_offset(as_of: date, want: int) -> int:
    """``want`` days back, but not before 1 January of as_of's year (items of 'the year')."""
    return min(want, (as_of - date(as_of.year, 1, 1)).days)


def water_policy(clock: Clock, base: int) -> tuple[Column, Column]:
    """市水利局's 政策文件 and 政策解读, after the seed's 附件2 (文号 are fictional)."""
    y = clock.as_of.year
    last_year_off = (clock.as_of - date(y - 1, 12, 20)).days
    # (offset, 文号, title, normative, interpretation forms)
    plan = [
        (
            _year_offset(clock.as_of, 20),
            f"示水字〔{y}〕60号",
            "关于召开全市水利工作推进会的通知",
            False,
            (),
        ),
        (
            _year_offset(clock.as_of, 75),
            f"示水字〔{y}〕61号",
            "关于印发《示范市河道采砂管理办法》的通知",
            True,
            ("问答", "图解"),
        ),
        (
            _year_offset(clock.as_of, 105),
            f"示水字〔{y}〕58号",
            "关于公布《示范市水行政执法领域首次轻微违法行为免罚清单（第一批）》的通知",
            True,
            ("答记者问",),
        ),
        (
            _year_offset(clock.as_of, 120),
            f"示水字〔{y}〕57号",
            "关于印发《示范市水利局“双随机、一公开”工作实施细则》的通知",
            True,
            ("问答",),
        ),
        (
            _year_offset(clock.as_of, 230),
            f"示水发〔{y}〕5号",
            f"关于印发《{y}年全市水利工作要点》的通知",
            False,
            (),
        ),
        (
            last_year_off,
            f"示水字〔{y - 1}〕66号",
            "示范市市本级水利建设资金使用管理实施细则（试行）",
            True,
            (),
        ),
    ]
    docs: list[Item] = []
    interps: list[Item] = []
    for n, (off, number, title, normative, forms) in enumerate(plan):
        published = clock.stamp(off)
        doc_id = clock.new_id()
        inner = title.split("《", 1)[1].rsplit("》", 1)[0] if "《" in title else title
        related = []
        for k, form in enumerate(forms):
            label = {
                "问答": f"《{inner}》政策问答",
                "图解": f"一图读懂《{inner}》",
                "答记者问": f"市水利局负责人就《{inner}》答记者问",
            }[form]
            interp_id = clock.new_id()
            related.append(interp_id)
            moment = published + timedelta(minutes=20 + 10 * k)
            kind_form = "问答" if form == "答记者问" else form
            interps.append(
                Item(interp_id, label, moment, "interpretation", form=kind_form, related=(doc_id,))
            )
        reg_no = f"SFCR-{published.year}-07{n:03d}" if normative else None
        docs.append(
            Item(
                doc_id,
                title,
                published,
                "document",
                doc_number=number,
                reg_no=reg_no,
                normative=normative,
                related=tuple(related),
            )
        )
    interps.sort(key=lambda it: it.published, reverse=True)
    return (
        Column("zcwj", base + 3, "政策文件", "政策文件", tuple(docs)),
        Column("zcjd", base + 4, "政策解读", "政策解读", tuple(interps)),
    )


def _openness_plans(as_of: date, seed: int) -> tuple[ColumnPlan, ...]:
    parent_name = f"{as_of.year}年政务公开工作要点"
    plans = [ColumnPlan(OPENNESS_PARENT, parent_name, "专栏", (), ())]
    for i, (key, (name, lead, sparse)) in enumerate(OPENNESS_SUBCOLUMNS.items()):
        if sparse:
            offs: tuple[int, ...] = (_year_offset(as_of, 150 + 10 * i),)
        else:
            offs = tuple(_year_offset(as_of, 12 + 7 * i + 30 * k) for k in range(6))
        titles = tuple(f"{lead}{name}工作推进情况（{k + 1}）" for k in range(len(offs)))
        plans.append(ColumnPlan(key, name, "专栏", titles, offs, parent=OPENNESS_PARENT, unit=lead))
    return tuple(plans)


def _tourism_plans() -> tuple[ColumnPlan, ...]:
    plans = []
    for key, (name, newest) in TOURISM_TOPICS.items():
        titles = tuple(f"{name}专题：活动信息（{k + 1}）" for k in range(6))
        plans.append(
            ColumnPlan(key, name, "专栏", titles, tuple(newest + 17 * k for k in range(6)))
        )
    return tuple(plans)


def _dated_plan(
    key: str, name: str, category: str, newest: int, *, home: bool = False
) -> ColumnPlan:
    titles = tuple(f"{name}：工作信息（{k + 1}）" for k in range(8))
    days = tuple(newest + 9 * k for k in range(8))
    return ColumnPlan(key, name, category, titles, days, on_homepage=home)


def _stale_tuning(extra_notice: bool) -> SiteTuning:
    plans = [_dated_plan(*EXTRA_NEWS), _dated_plan(*FRESH_HOME, home=True)]
    if extra_notice:
        plans.append(_dated_plan(*EXTRA_NOTICE))
    return SiteTuning(column_newest=STALE_COLUMN_NEWEST, extra_columns=tuple(plans))


def issue4_tunings() -> dict[str, SiteTuning]:
    """The website problems of issue 4 (columns, links, identity, wording, interaction)."""
    blank = ColumnPlan(BLANK_COLUMN[0], BLANK_COLUMN[1], "其他", (), ())
    tunings = {
        COLUMNS_STALE_SITE: _stale_tuning(True),
        COLUMNS_STALE_BELOW: _stale_tuning(False),
        BLANK_SITE: SiteTuning(extra_columns=(blank,)),
        DEAD_LINK_SITE: SiteTuning(
            home_dead_link=HOME_DEAD_LINK, article_dead_link=ARTICLE_DEAD_LINK
        ),
        IDENTITY_SITE: SiteTuning(hide_psb=True),
        SECURITY_SITE: SiteTuning(
            article_note=f"会议要求，要深入学习贯彻“{SECURITY_WORDING[0]}、牢记使命”主题教育精神。"
        ),
        TYPO_SITE: SiteTuning(
            article_note=f"会议要求，全体干部职工要{TYPO_WORDING[0]}，再创佳绩。"
        ),
    }
    for key, days in UNANSWERED.items():
        tunings[key] = SiteTuning(unanswered_days=days)
    return tunings


# Issue 14: sites read as their CMS builds them. 市数据资源局 is a 大汉 JCMS site (every column
# a jpage datastore, later groups from the data proxy): healthy, so no blank or stale column.
# 市发改委's 政策文件 list is paged by a TRS createPageHTML script (no <a> to index_1.html);
# its one 规范性文件, without interpretations, is on page 2 only.
JCMS_SITE = "sjzyj"
SCRIPT_PAGED_SITE = "fgw"
SCRIPT_PAGED_NORMATIVE = ("示发改规〔{y}〕3号", "关于印发《示范市政府定价成本监审办法》的通知")
SCRIPT_PAGED_ROWS = 24  # 政策文件 rows, 3 days apart: 20 on index.html, 4 on index_1.html


def paged_policy(clock: Clock, base: int) -> tuple[Column, Column]:
    """市发改委's 政策文件 (24 notices within the quarter, the 22nd a 规范性文件 without any
    interpretation) and 政策解读 (文字/图解 for the 4 newest notices)."""
    y = clock.as_of.year
    docs: list[Item] = []
    interps: list[Item] = []
    for i in range(SCRIPT_PAGED_ROWS):
        published = clock.stamp(2 + 3 * i)
        doc_id = clock.new_id()
        related: tuple[int, ...] = ()
        if i == SCRIPT_PAGED_ROWS - 3:
            number, title = SCRIPT_PAGED_NORMATIVE
            reg_no = f"SFCR-{published.year}-03003"
            docs.append(
                Item(doc_id, title, published, "document", number.format(y=y), reg_no, True)
            )
            continue
        inner = f"{y}年第{i + 1}批重点项目前期工作计划"
        title = f"关于下达《{inner}》的通知"
        if i < 4:
            interp_id = clock.new_id()
            form = "图解" if i % 2 else "文字"
            label = f"图解：《{inner}》" if form == "图解" else f"《{inner}》解读"
            moment = published + timedelta(minutes=30)
            interps.append(
                Item(interp_id, label, moment, "interpretation", form=form, related=(doc_id,))
            )
            related = (interp_id,)
        number = f"示发改〔{y}〕{90 - i}号"
        docs.append(Item(doc_id, title, published, "document", doc_number=number, related=related))
    return (
        Column("zcwj", base + 3, "政策文件", "政策文件", tuple(docs)),
        Column("zcjd", base + 4, "政策解读", "政策解读", tuple(interps)),
    )


def issue14_tunings() -> dict[str, SiteTuning]:
    """Issue 14's CMS flavours: the JCMS site and the script-paged 政策文件 list."""
    return {
        JCMS_SITE: SiteTuning(style="jcms"),
        SCRIPT_PAGED_SITE: SiteTuning(style="trs", script_paging=True, policy=paged_policy),
    }


def site_tunings(as_of: date, seed: int) -> dict[str, SiteTuning]:
    """Site key → its planted deviations; sites not listed are healthy."""
    tunings = {
        HOMEPAGE_STALE_SITE: SiteTuning(min_offset=15, trap=True),
        HOMEPAGE_FRESH_SITE: SiteTuning(min_offset=13),
        BROKEN_SITE: SiteTuning(broken=True),
        "portal": SiteTuning(trap=True, extra_columns=_openness_plans(as_of, seed)),
        "wlj": SiteTuning(extra_columns=_tourism_plans()),
        "slj": SiteTuning(policy=water_policy),
        "sjj": SiteTuning(trap=True),
    }
    for key, newest in SURVEY_STALE.items():
        tunings[key] = SiteTuning(survey_newest=newest)
    return tunings | issue4_tunings() | issue13_tunings() | issue14_tunings()


# Sites with an expected finding; the issue-13 trap site and the site without service
# functions stay among the healthy ones: no finding at all may name them.
PLANTED_SITES = frozenset(
    {HOMEPAGE_STALE_SITE, BROKEN_SITE, "portal", "wlj", "slj", *SURVEY_STALE, *issue4_tunings()}
    | {XINFANG_ONLY_SITE, GUIDES_POOR_SITE, GUIDES_FEW_SITE, UNREACHABLE_SITE, THIN_PROBES_SITE}
    | {SCRIPT_PAGED_SITE}
    | issue17.PLANTED
    | issue21.PLANTED
)
PLANTED_ACCOUNTS = frozenset(ACCOUNT_PLANTS) | frozenset(ISSUE17_ACCOUNTS)
