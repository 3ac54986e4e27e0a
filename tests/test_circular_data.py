"""Shared data for the circular tests: a small synthetic quarter (4 websites, 6 accounts on
3 platforms) and one cached run of the demo city. Holds no tests itself."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.circular import CircularInputs
from workbench.models import FINDING_COLUMNS, SCORE_COLUMNS, Finding, MediaAccount, Website

QUARTER = "2022Q3"
AS_OF = date(2022, 9, 30)
MALICIOUS_TITLE = "关于<img src=x onerror=alert(1)>的通知 | & 附表"

PORTAL = "http://www.xiangtan.gov.cn/"
WATER = "http://slj.xiangtan.gov.cn/"
EDUCATION = "http://jyj.xiangtan.gov.cn/"
INSTITUTE = "http://jyjc.xiangtan.gov.cn/"

WEBSITES = [
    Website("湘潭市人民政府", "湘潭市人民政府门户网站", PORTAL, "门户网站", "4303000001"),
    Website("市水利局", "湘潭市水利局", WATER, "部门网站", "4303000012"),
    Website("市教育局", "湘潭市教育局", EDUCATION, "部门网站", "4303000023"),
    Website("市检验检测中心", "湘潭市检验检测中心", INSTITUTE, "事业单位网站", None),
]
MEDIA = [
    MediaAccount("湘潭市人民政府", "湘潭发布", "微信公众号", "feeds/a.xml", True, True),
    MediaAccount("湘潭市人民政府", "湘潭发布", "微博", "feeds/b.xml", True, True),
    MediaAccount("湘乡市", "湘乡文旅", "抖音号", "feeds/c.xml", False, True),
    MediaAccount("市市场监督管理局", "食安湘潭", "抖音号", "feeds/d.xml", True, True),
    MediaAccount("市人社局", "湘潭人社", "微信公众号", "feeds/e.xml", True, True),
    MediaAccount("市水利局", "湘潭水利", "微信公众号", "feeds/f.xml", True, True),
]


def _finding(
    unit: str,
    kind: str,
    target: str,
    indicator: str,
    veto: bool,
    problem: str,
    platform: str = "",
    key: str = "",
) -> dict[str, Any]:
    return Finding(
        QUARTER,
        unit,
        kind,
        target,
        indicator,
        veto,
        problem,
        evidence_url=target if target.startswith("http") else "",
        platform=platform,
        key=key,
    ).as_row()


def findings_frame() -> pd.DataFrame:
    rows = [
        _finding("湘乡市", "media", "湘乡文旅", "media.unregistered", False, "未备案", "抖音号"),
        _finding(
            "湘乡市", "media", "湘乡文旅", "media.stale", True, "监测时间点前2周内未更新", "抖音号"
        ),
        _finding(
            "市市场监督管理局",
            "media",
            "食安湘潭",
            "media.stale",
            True,
            "监测时间点前2周内未更新",
            "抖音号",
        ),
        _finding(
            "市人社局",
            "media",
            "湘潭人社",
            "check.incomplete",
            False,
            "数据源无法访问（HTTP 502）",
            "微信公众号",
        ),
        _finding(
            "市教育局",
            "website",
            EDUCATION,
            "site.homepage_stale",
            True,
            "首页监测时间点前2周内未更新（最近更新：2022年8月30日）",
        ),
        _finding(
            "市教育局",
            "column",
            EDUCATION + "dczj/",
            "site.survey_stale",
            False,
            "“调查征集”栏目1年内无征集活动",
        ),
        _finding(
            "市教育局",
            "column",
            PORTAL + "zwgk/yd/jyxx/",
            "openness.column_sparse",
            False,
            "“教育信息”栏目仅公开1条信息",
        ),
        _finding(
            "市水利局",
            "document",
            "潭市水字〔2021〕66号",
            "policy.interpretation_missing",
            False,
            "缺问答、访谈、图解、音频、H5等其中2种形式的政策解读",
        ),
        _finding(
            "市水利局",
            "document",
            MALICIOUS_TITLE,
            "policy.interpretation_missing",
            False,
            "缺访谈、图解、音频、H5等其中1种形式的政策解读",
        ),
    ]
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return frame


def scores_frame() -> pd.DataFrame:
    rows = [
        ("website", "湘潭市人民政府", PORTAL, "湘潭市人民政府门户网站", 95.0, "false", "true"),
        ("website", "市水利局", WATER, "湘潭市水利局", 97.0, "false", "true"),
        ("website", "市教育局", EDUCATION, "湘潭市教育局", 0.0, "true", "false"),
        ("website", "市检验检测中心", INSTITUTE, "湘潭市检验检测中心", 88.5, "false", "true"),
        ("media", "湘潭市人民政府", "湘潭发布", "湘潭发布", "", "false", "true"),
        ("media", "湘潭市人民政府", "湘潭发布", "湘潭发布", "", "false", "true"),
        ("media", "湘乡市", "湘乡文旅", "湘乡文旅", "", "true", "false"),
        ("media", "市市场监督管理局", "食安湘潭", "食安湘潭", "", "true", "false"),
        ("media", "市人社局", "湘潭人社", "湘潭人社", "", "false", "incomplete"),
        ("media", "市水利局", "湘潭水利", "湘潭水利", "", "false", "true"),
    ]
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def documents_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                "潭市水字〔2021〕66号",
                "湘潭市市本级水利建设资金使用管理实施细则（试行）",
                "市水利局",
            ),
            ("", MALICIOUS_TITLE, "市水利局"),
        ],
        columns=["docno", "title", "unit"],
    )


def make_inputs(**changes: Any) -> CircularInputs:
    values: dict[str, Any] = {
        "quarter": QUARTER,
        "as_of": AS_OF,
        "websites": list(WEBSITES),
        "media": list(MEDIA),
        "findings": findings_frame(),
        "scores": scores_frame(),
        "documents": documents_frame(),
    }
    values.update(changes)
    return CircularInputs(**values)


@dataclass(frozen=True)
class DemoRun:
    """A full quarterly check of the demo city (its servers already stopped)."""

    base: Path
    inventory: Path
    out: Path
    db: str
    quarter: str


@lru_cache(maxsize=1)
def demo_run() -> DemoRun:
    """The demo city checked once per test process (several test files share it): served on
    loopback, run through ``pipeline.run_quarter``; removed when the process ends."""
    from workbench import pipeline
    from workbench.demo import serve_demo_city

    base = Path(tempfile.mkdtemp(prefix="circular-demo-"))
    atexit.register(shutil.rmtree, base, True)
    db = f"sqlite:///{base / 'w.db'}"
    with serve_demo_city(base / "city") as city:
        pipeline.run_quarter(
            progress=False,
            inventory=str(city.inventory_dir),
            quarter=city.quarter,
            as_of=city.as_of.isoformat(),
            db=db,
            out=str(base / "out"),
        )
        return DemoRun(base, Path(city.inventory_dir), base / "out", db, city.quarter)
