"""Every number printed in the demo's circular.md, recomputed from findings.csv, scores.csv
and the inventory of a full demo run (pipeline.run_quarter on the demo city)."""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import demo_run  # noqa: E402

from workbench.circular import circular_settings  # noqa: E402
from workbench.indicators import REGISTRY  # noqa: E402

NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
INCOMPLETE = "check.incomplete"


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def rate(qualified: int, checked: int) -> str:
    """Independent: two decimals half up, or a whole number when exact."""
    if checked == 0:
        return "—"
    if qualified * 100 % checked == 0:
        return f"{qualified * 100 // checked}%"
    hundredths = (qualified * 10000 * 2 + checked) // (checked * 2)  # half up, integers only
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def test_rate_helper() -> None:
    assert (rate(111, 112), rate(44, 44), rate(1, 8), rate(2, 3)) == (
        "99.11%",
        "100%",
        "12.50%",
        "66.67%",
    )


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    run = demo_run()
    md = (run.out / "circular.md").read_text(encoding="utf-8")
    return {
        "md": md,
        "findings": _csv(run.out / "findings.csv"),
        "scores": _csv(run.out / "scores.csv"),
        "websites": _csv(run.inventory / "websites.csv"),
        "media": _csv(run.inventory / "media.csv"),
    }


def _section(md: str, start: str, end: str) -> str:
    return md[md.index(start) : md.index(end, md.index(start))]


class Tally:
    """Counts of one group: total, incomplete, qualified, unqualified (from scores.csv)."""

    def __init__(self, verdicts: list[str]) -> None:
        self.total = len(verdicts)
        self.incomplete = sum(v not in ("true", "false") for v in verdicts)
        self.qualified = verdicts.count("true")
        self.unqualified = verdicts.count("false")
        self.checked = self.qualified + self.unqualified
        self.rate = rate(self.qualified, self.checked)


def _expected_overview(demo: dict[str, Any]) -> list[str]:
    """The overview's phrases with their numbers, computed from the CSV files."""
    site_verdict = {
        r["target"]: r["qualified"] for r in demo["scores"] if r["target_kind"] == "website"
    }
    account_verdict = {
        (r["target"], r["platform"]): r["qualified"]
        for r in demo["scores"]
        if r["target_kind"] == "media"
    }
    gov = Tally(
        [site_verdict.get(w["网址"], "") for w in demo["websites"] if w["类型"] != "事业单位网站"]
    )
    inst = Tally(
        [site_verdict.get(w["网址"], "") for w in demo["websites"] if w["类型"] == "事业单位网站"]
    )
    sites = Tally([site_verdict.get(w["网址"], "") for w in demo["websites"]])
    media = Tally([account_verdict.get((m["账号名称"], m["平台"]), "") for m in demo["media"]])
    platforms = list(dict.fromkeys(m["平台"] for m in demo["media"]))
    by_platform = {
        p: Tally(
            [account_verdict.get((m["账号名称"], p), "") for m in demo["media"] if m["平台"] == p]
        )
        for p in platforms
    }
    problems = [f for f in demo["findings"] if f["indicator"] != INCOMPLETE]
    openness = [f for f in problems if f["indicator"].startswith("openness.")]
    missing = [f for f in problems if f["indicator"] == "policy.interpretation_missing"]
    label = circular_settings().institution_site_label

    phrases = [
        f"本季度对全市{gov.total}家政府网站、{inst.total}家{label}、{media.total}家政务新媒体进行了检查",
        f"其中网站总体合格率{sites.rate}，政务新媒体合格率为{media.rate}。",
    ]
    if sites.incomplete or media.incomplete:
        parts = [f"{sites.incomplete}个网站"] if sites.incomplete else []
        parts += [f"{media.incomplete}个账号"] if media.incomplete else []
        phrases.append(f"另有{'、'.join(parts)}数据获取失败，待人工核查，未计入合格率。")
    if "openness.column_sparse" in REGISTRY and openness:
        units = len({f["unit"] for f in openness})
        phrases.append(
            f"发现{units}家单位负责的栏目存在{len(openness)}处信息发布不全或更新不及时的问题"
        )
    if "policy.interpretation_missing" in REGISTRY and missing:
        units, docs = len({f["unit"] for f in missing}), len({f["target"] for f in missing})
        phrases.append(f"{units}家单位的{docs}件规范性文件未按要求完成政策解读")
    for tally, name in ((gov, "政府网站"), (inst, label)):
        checked = f"{tally.checked}家完成检查，" if tally.incomplete else ""
        phrases.append(
            f"{tally.total}家{name}中，{checked}合格{tally.qualified}家、"
            f"不合格{tally.unqualified}家，合格率{tally.rate}"
        )
    counts = "、".join(f"{p}{by_platform[p].total}个" for p in platforms)
    checked = f"{media.checked}个完成检查，" if media.incomplete else ""
    phrases.append(
        f"{media.total}家政务新媒体中，{counts}；{checked}合格{media.qualified}个、"
        f"不合格{media.unqualified}个，总体合格率{media.rate}"
    )
    rated = [p for p in platforms if by_platform[p].checked]
    if len(rated) > 1:
        phrases.append("、".join(f"{p}合格率{by_platform[p].rate}" for p in rated) + "。")
    return phrases


def test_every_overview_number_is_recomputed(demo: dict[str, Any]) -> None:
    overview = _section(demo["md"], "## 一、总体情况", "## 二、")
    phrases = _expected_overview(demo)
    for phrase in phrases:
        assert phrase in overview, phrase
    # Nothing else with a number: every number printed was checked above.
    printed = Counter(NUMBER.findall(overview))
    checked = Counter(n for phrase in phrases for n in NUMBER.findall(phrase))
    recheck = re.search(
        r"对上季度通报的(\d+)个问题进行了复查，已整改(\d+)个，尚未整改(\d+)个", overview
    )
    if recheck:  # a fresh store has no earlier quarter; test_circular_recheck covers it
        checked.update(recheck.groups())
    assert printed == checked, (printed - checked, checked - printed)


def _table(md: str, title: str) -> list[list[str]]:
    block = md[md.index(f"### {title}") :]
    rows = []
    for line in block.splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows[2:]  # without header and rule


def test_attachment_rows_are_the_findings(demo: dict[str, Any]) -> None:
    md, findings = demo["md"], demo["findings"]
    problems = [f for f in findings if f["indicator"] != INCOMPLETE]
    accounts: dict[tuple[str, str], bool] = {}
    for f in problems:
        if f["target_kind"] == "media":
            key = (f["target"], f["platform"])
            accounts[key] = accounts.get(key, False) or f["veto"] == "true"
    homepages = [w["网址"] for w in demo["websites"]]

    def site_of(url: str) -> str:  # the homepage a page belongs to: the longest URL prefix
        return max((h for h in homepages if url.startswith(h)), key=len, default=url)

    sites = {
        site_of(f["target"])
        for f in problems
        if f["indicator"].startswith("site.") and f["target_kind"] in ("website", "column")
    }
    labels = re.findall(r"^## (附件\d+)$", md, re.M)
    assert labels == [f"附件{i}" for i in range(1, len(labels) + 1)]
    if accounts:
        rows = _table(md, "检查发现存在突出问题的政务新媒体名单")
        assert [r[0] for r in rows] == [str(i) for i in range(1, len(accounts) + 1)]
        assert {(r[2], r[3]): r[5] == "是" for r in rows} == accounts
        vetoes = [r[5] for r in rows]
        assert vetoes == sorted(vetoes, key=lambda v: v != "是")  # veto rows first
    if sites:
        rows = _table(md, "存在问题的政府网站名单")
        verdict = {
            r["target"]: r["qualified"] for r in demo["scores"] if r["target_kind"] == "website"
        }
        text = {"true": "合格", "false": "不合格", "incomplete": "待人工核查"}
        assert {r[2]: r[4] for r in rows} == {s: text[verdict[s]] for s in sites}
    # The problems paragraph points at the right attachment.
    problems_md = _section(md, "## 二、", "## 三、")
    refs = re.findall(r"具体名单详见((?:附件\d+、?)+)。", problems_md)
    assert all(ref in labels for group in refs for ref in group.split("、"))
    if accounts:
        media_label = labels[0]
        assert f"具体名单详见{media_label}。" in problems_md


def test_problem_numbers_come_from_the_findings(demo: dict[str, Any]) -> None:
    """Numbers in 二、存在的主要问题: from problem texts, counts of findings, attachment
    labels, or the fixed wording of the settings — none invented."""
    problems_md = _section(demo["md"], "## 二、", "## 三、")
    settings = circular_settings()
    allowed = set()
    for f in demo["findings"]:
        allowed.update(NUMBER.findall(f["problem"]))
    groups = Counter((f["indicator"], f["target"]) for f in demo["findings"])
    groups.update(Counter((f["indicator"], f["unit"]) for f in demo["findings"]))
    allowed.update(str(n) for n in groups.values())
    allowed.update(str(i) for i in range(1, 10))  # 附件N labels are checked above
    for text in [*settings.phrases.values(), settings.interpretation_missing_phrase]:
        allowed.update(NUMBER.findall(str(text)))
    printed = set(NUMBER.findall(problems_md))
    assert printed <= allowed, printed - allowed
