"""Writing the demo city's inventory (检查对象名录) and ``truth.json`` once the URLs are known.

CSV files are UTF-8 with BOM and Chinese headers (contract §2), as Excel on a Chinese
Windows reads them. Dates in ``truth.json`` are Asia/Shanghai calendar dates (ISO format).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.demo.catalog import CITY
from workbench.demo.city import CityModel, SiteModel, TruthEntry
from workbench.demo.feeds import feed_path, render_csv
from workbench.demo.planted import (
    PLANTED_ACCOUNTS,
    PLANTED_SITES,
    PROBE_PLANS,
    WITHOUT_SERVICE_UNITS,
    probe_rows,
)
from workbench.demo.sites import column_path, item_path

WEBSITE_HEADER = ("单位", "网站名称", "网址", "类型", "网站标识码", "对外服务职能")
PROBE_HEADER = ("网址", "时间", "结果", "耗时毫秒")
MEDIA_HEADER = ("单位", "账号名称", "平台", "数据源", "是否备案", "互动功能", "认证主体", "状态")
COLUMN_HEADER = ("网址", "栏目名称", "类别", "责任单位")
EXPORT_DIR = "exports"


@dataclass(frozen=True)
class CityUrls:
    """Where the city is served: site key → homepage URL, and the feed server's base URL."""

    sites: dict[str, str]
    feed_base: str

    def column_url(self, city: CityModel, ref: str) -> str:
        site_key, col_key = ref.split("/", 1)
        site = city.site(site_key)
        return self.sites[site_key].rstrip("/") + column_path(site, site.column(col_key))

    def feed_source(self, city: CityModel, name: str) -> str:
        """The 数据源 cell of an account: a feed URL, or the CSV export's path in the inventory."""
        acct = city.account(name)
        if acct.feed_format == "csv":
            return f"{EXPORT_DIR}/{acct.key}.csv"
        return self.feed_base + feed_path(acct)


def _write_csv(path: Path, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_inventory(city: CityModel, urls: CityUrls, inventory_dir: Path) -> None:
    """websites.csv, media.csv, columns.csv and the CSV exports of 视频号 accounts."""
    inventory_dir.mkdir(parents=True, exist_ok=True)
    (inventory_dir / EXPORT_DIR).mkdir(exist_ok=True)
    _write_csv(
        inventory_dir / "websites.csv",
        WEBSITE_HEADER,
        [(s.unit, s.name, urls.sites[s.key], s.kind, s.site_code, _service(s)) for s in city.sites],
    )
    _write_csv(
        inventory_dir / "probes.csv",
        PROBE_HEADER,
        [
            (
                urls.sites[key],
                f"{when:%Y-%m-%d %H:%M}",
                "成功" if ok else "失败",
                "" if ok else "15000",
            )
            for key, plan in PROBE_PLANS.items()
            for when, ok in probe_rows(city.as_of, plan)
        ],
    )
    media_rows = []
    for acct in city.accounts:
        if acct.feed_format == "csv":
            export = inventory_dir / EXPORT_DIR / f"{acct.key}.csv"
            export.write_text(render_csv(acct, urls.feed_base), encoding="utf-8-sig", newline="")
        media_rows.append(
            (
                acct.unit,
                acct.name,
                acct.platform,
                urls.feed_source(city, acct.name),
                "是" if acct.registered else "否",
                "有" if acct.interaction else "无",
                acct.certified_by,
                "已关停" if acct.closed else "正常",
            )
        )
    _write_csv(inventory_dir / "media.csv", MEDIA_HEADER, media_rows)
    column_rows = []
    for site in city.sites:
        for col in site.columns:
            if col.category == "专栏":
                url = urls.column_url(city, f"{site.key}/{col.key}")
                column_rows.append((url, col.name, col.category, col.unit or site.unit))
    _write_csv(inventory_dir / "columns.csv", COLUMN_HEADER, column_rows)
    # The office's own rules overlay: how the circular names the city and its issuer; the
    # sites are a local mirror on loopback, so the crawl needs no delay between requests; the
    # demo needs no network, so its footers' beian/conac links are not opened.
    (inventory_dir / "rules.yaml").write_text(
        f"circular:\n  city: {CITY}\n  issuer: {CITY}政务公开政务服务领导小组办公室\n"
        "crawl:\n  delay: 0\n"
        "links:\n  check_external: false\n",
        encoding="utf-8",
    )


def _service(site: SiteModel) -> str:
    """The 对外服务职能 cell: 有 for portals and departments (but WITHOUT_SERVICE_UNITS), empty
    for 事业单位 (无 by default, contract §2)."""
    if site.key in WITHOUT_SERVICE_UNITS:
        return "无"
    return "" if site.kind == "事业单位网站" else "有"


def _target(city: CityModel, urls: CityUrls, entry: TruthEntry) -> tuple[str, str]:
    """(target as findings.csv would name it, evidence URL)."""
    if entry.target_kind == "website":
        return urls.sites[entry.ref], urls.sites[entry.ref]
    if entry.target_kind == "column":
        url = urls.column_url(city, entry.ref)
        return url, url
    if entry.target_kind == "media":
        acct = city.account(entry.ref)
        source = urls.feed_source(city, entry.ref)
        return entry.ref, source if acct.feed_format != "csv" else ""
    if entry.evidence_path is not None:  # a file (issue 21)
        owner = next(s for s in city.sites if s.unit == entry.unit)
        return entry.ref, urls.sites[owner.key].rstrip("/") + entry.evidence_path
    site = next(
        s
        for s in city.sites
        if any(it.doc_number == entry.ref for c in s.columns for it in c.items)
    )
    col = site.column("zcwj")
    item = next(it for it in col.items if it.doc_number == entry.ref)
    return entry.ref, urls.sites[site.key].rstrip("/") + item_path(site, col, item)


def truth_document(city: CityModel, urls: CityUrls) -> dict[str, Any]:
    """The content of truth.json."""
    sections: dict[str, list[dict[str, Any]]] = {"expected": [], "not_expected": []}
    for entry in city.truth:
        target, evidence = _target(city, urls, entry)
        row: dict[str, Any] = {
            "indicator": entry.indicator,
            "target_kind": entry.target_kind,
            "target": target,
            "unit": entry.unit,
        }
        if entry.target_kind == "media":
            row["platform"] = city.account(entry.ref).platform
        if entry.section == "expected":
            row["veto"] = entry.veto
        row["since"] = entry.since
        row["note"] = entry.note
        if entry.key_path:
            home = urls.sites[entry.ref.split("/", 1)[0]].rstrip("/")
            row["key"] = home + entry.key_path if entry.key_path.startswith("/") else entry.key_path
        if entry.key_date:
            row["date"] = entry.key_date.isoformat()
        if entry.evidence_path and entry.target_kind == "website":
            home = urls.sites[entry.ref].rstrip("/")
            evidence = home + entry.evidence_path
        if entry.requires:
            row["requires"] = entry.requires
        row["evidence_url"] = evidence
        sections[entry.section].append(row)
    healthy: list[dict[str, Any]] = [
        {"target_kind": "website", "target": urls.sites[s.key], "unit": s.unit, "name": s.name}
        for s in city.sites
        if s.key not in PLANTED_SITES
    ]
    healthy += [
        {"target_kind": "media", "target": a.name, "unit": a.unit, "platform": a.platform}
        for a in city.accounts
        if a.name not in PLANTED_ACCOUNTS
    ]
    return {
        "city": city.name,
        "quarter": city.quarter,
        "as_of": city.as_of.isoformat(),
        "seed": city.seed,
        "counts": {
            "websites": len(city.sites),
            "government_websites": sum(s.kind != "事业单位网站" for s in city.sites),
            "institution_websites": sum(s.kind == "事业单位网站" for s in city.sites),
            "media": len(city.accounts),
        },
        "expected": sections["expected"],
        "not_expected": sections["not_expected"],
        "healthy": healthy,
    }


def write_truth(city: CityModel, urls: CityUrls, path: Path) -> None:
    path.write_text(
        json.dumps(truth_document(city, urls), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
