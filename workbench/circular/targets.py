"""Findings attributed to the inventory's targets: which website, which account.

A finding names its target as ``findings.csv`` does (contract §3): a website by its homepage
URL, an account by its 账号名称 (+ platform), a column by its URL, a document by its 文号.
Column findings are attributed to the website their ``detail["site_url"]`` names, else to
the website whose homepage host and path prefix match the column URL (longest prefix wins),
or to the unit's only website.

The frame may carry a last column ``detail``: each finding's ``detail`` mapping (the
column's name and category, dates, counts). findings.csv has no such column; without it the
circular still reads, only less specifically (columns counted instead of named).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from workbench.models import MediaAccount, Website

INCOMPLETE_INDICATOR = "check.incomplete"
TRUE_TEXTS = frozenset({"true", "1", "是", "yes", "y"})


def is_true(value: object) -> bool:
    """``findings.csv`` writes booleans as ``true``/``false``; accept the usual variants."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_TEXTS


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def url_key(url: str) -> tuple[str, str]:
    """(host, path) of a URL, lower-cased host without ``www.``, path without trailing ``/``."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    return host, parts.path.rstrip("/")


@dataclass(frozen=True)
class FindingRecord:
    """One reviewed finding, with the website or account it belongs to (if any)."""

    unit: str
    target_kind: str
    target: str
    platform: str
    indicator: str
    veto: bool
    problem: str
    evidence_url: str
    site_url: str | None  # homepage URL of the website it belongs to
    account: tuple[str, str] | None  # (账号名称, platform) of the account it belongs to
    detail: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def column_name(self) -> str:
        """The column's name for a column finding (from ``detail``), else ""."""
        if self.target_kind != "column":
            return ""
        return _text(self.detail.get("column"))

    @property
    def incomplete(self) -> bool:
        return self.indicator == INCOMPLETE_INDICATOR


class TargetIndex:
    """Looks up the inventory's websites and accounts by the way findings name them."""

    def __init__(self, websites: list[Website], media: list[MediaAccount]) -> None:
        self.websites = list(websites)
        self.media = list(media)
        self._site_by_key = {url_key(w.url): w for w in self.websites}
        self._sites_by_unit: dict[str, list[Website]] = defaultdict(list)
        for site in self.websites:
            self._sites_by_unit[site.unit].append(site)
        self._account_by_key = {(m.name, m.platform): m for m in self.media}
        self._accounts_by_name: dict[str, list[MediaAccount]] = defaultdict(list)
        for account in self.media:
            self._accounts_by_name[account.name].append(account)

    def site_for_url(self, url: str, unit: str = "") -> Website | None:
        """The website a homepage or column URL belongs to."""
        host, path = url_key(url)
        exact = self._site_by_key.get((host, path))
        if exact is not None:
            return exact
        best: Website | None = None
        best_len = -1
        for (site_host, site_path), site in self._site_by_key.items():
            if site_host != host:
                continue
            if (path == site_path or path.startswith(site_path + "/")) and len(
                site_path
            ) > best_len:
                best, best_len = site, len(site_path)
        if best is None and unit:
            candidates = self._sites_by_unit.get(unit, [])
            if len(candidates) == 1:
                best = candidates[0]
        return best

    def sites_of_unit(self, unit: str) -> list[Website]:
        return self._sites_by_unit.get(unit, [])

    def account(self, name: str, platform: str) -> MediaAccount | None:
        """The account named ``name``; ``platform`` resolves same-named accounts."""
        found = self._account_by_key.get((name, platform))
        if found is not None:
            return found
        candidates = self._accounts_by_name.get(name, [])
        return candidates[0] if len(candidates) == 1 else None


def finding_records(findings: pd.DataFrame | None, index: TargetIndex) -> list[FindingRecord]:
    """The findings as records attributed to websites and accounts, in the frame's order."""
    if findings is None or findings.empty:
        return []
    records: list[FindingRecord] = []
    for row in findings.to_dict("records"):
        kind = _text(row.get("target_kind"))
        target = _text(row.get("target"))
        platform = _text(row.get("platform"))
        unit = _text(row.get("unit"))
        site_url: str | None = None
        account: tuple[str, str] | None = None
        detail = row.get("detail")
        detail = dict(detail) if isinstance(detail, Mapping) else {}
        if kind in ("website", "column"):
            site = None
            if kind == "column" and detail.get("site_url"):
                site = index.site_for_url(_text(detail["site_url"]))
            site = site or index.site_for_url(target, unit if kind == "column" else "")
            if site is not None:
                site_url = site.url
                unit = unit or site.unit
        elif kind == "media":
            acc = index.account(target, platform)
            if acc is not None:
                account = (acc.name, acc.platform)
                platform = platform or acc.platform
                unit = unit or acc.unit
            else:
                account = (target, platform)
        records.append(
            FindingRecord(
                unit=unit,
                target_kind=kind,
                target=target,
                platform=platform,
                indicator=_text(row.get("indicator")),
                veto=is_true(row.get("veto")),
                problem=_text(row.get("problem")).rstrip("。；;，, "),
                evidence_url=_text(row.get("evidence_url")),
                site_url=site_url,
                account=account,
                detail=detail,
            )
        )
    return records
