"""Tables the quarterly notebook shows (pandas DataFrames with Chinese headers)."""

from __future__ import annotations

import pandas as pd

from workbench.facts import Facts


def collection_summary(facts: Facts) -> pd.DataFrame:
    """How much of the data could be obtained (for the notebook)."""
    site_ok = sum(1 for s in facts.sites if s.homepage.ok)
    acc_ok = sum(1 for a in facts.accounts if a.feed.ok)
    return pd.DataFrame(
        {
            "类别": ["网站首页", "新媒体账号数据源", "可用性探测记录（监测周内）"],
            "总数": [len(facts.sites), len(facts.accounts), len(facts.probes)],
            "获取成功": [site_ok, acc_ok, sum(1 for p in facts.probes if p.ok)],
            "获取失败": [
                len(facts.sites) - site_ok,
                len(facts.accounts) - acc_ok,
                sum(1 for p in facts.probes if not p.ok),
            ],
        }
    )


def pass_rate_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Checked, qualified and pass rate per kind of target; incomplete ones counted apart."""
    from workbench.circular import format_rate

    rows = []
    for kind, label in (("website", "网站"), ("media", "政务新媒体")):
        part = scores[scores["target_kind"] == kind]
        qualified = int((part["qualified"] == "true").sum())
        failed = int((part["qualified"] == "false").sum())
        incomplete = int((part["qualified"] == "incomplete").sum())
        rows.append(
            {
                "类别": label,
                "总数": len(part),
                "已判定": qualified + failed,
                "合格": qualified,
                "不合格": failed,
                "待人工核查": incomplete,
                "合格率": format_rate(qualified, qualified + failed),
            }
        )
    return pd.DataFrame(rows)


def columns_table(facts: Facts) -> pd.DataFrame:
    """Every column found on the sites, newest item and blank flag (for the notebook)."""
    rows = [
        {
            "网站": c.site_url,
            "栏目": c.name,
            "类别": c.category,
            "最新信息日期": getattr(c, "newest", None),
            "信息条数": getattr(c, "item_count", None),
            "空白栏目": "是" if getattr(c, "blank", False) else "",
            "网址": c.url,
        }
        for c in facts.columns
    ]
    return pd.DataFrame(
        rows, columns=["网站", "栏目", "类别", "最新信息日期", "信息条数", "空白栏目", "网址"]
    )


def unlinked_documents(facts: Facts) -> pd.DataFrame:
    """文件与解读未相互关联: documents and interpretations that do not link to each other."""
    from workbench.extract.matching import link_report, pair_interpretations

    pairings = pair_interpretations(facts.documents, facts.interpretations)
    return pd.DataFrame(link_report(facts.documents, facts.interpretations, pairings))
