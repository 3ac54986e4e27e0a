"""site.annual_report end to end on the demo city checked in a first quarter (2023Q1): the
planted missing 政府网站工作年度报表 and late 政府信息公开工作年度报告 are found from the crawl,
and a site with both reports in January has no finding. Only three sites are checked (the
full city runs in test_e2e_demo.py for 2022Q3, where the check is not run)."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from workbench.demo import serve_demo_city
from workbench.demo.issue17 import ANNUAL_LATE_SITE, ANNUAL_MISSING_SITE

pytestmark = pytest.mark.e2e
HEALTHY = "lyj"


def _keep(path: Path, urls: set[str]) -> None:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    kept = [rows[0]] + [
        r for r in rows[1:] if r and r[2 if path.name == "websites.csv" else 0] in urls
    ]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(kept)


def test_first_quarter_demo_finds_the_planted_reports(tmp_path: Path) -> None:
    with serve_demo_city(tmp_path / "city", as_of=date(2023, 3, 31)) as city:
        sites = {k: city.site_urls[k] for k in (ANNUAL_MISSING_SITE, ANNUAL_LATE_SITE, HEALTHY)}
        inventory = city.inventory_dir
        _keep(inventory / "websites.csv", set(sites.values()))
        _keep(inventory / "probes.csv", set(sites.values()))
        _keep(inventory / "columns.csv", set())
        media = inventory / "media.csv"
        media.write_text(
            media.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8-sig"
        )
        out = tmp_path / "out"
        cmd = [
            sys.executable, "-m", "workbench.cli", "run", "--inventory", str(inventory),
            "--quarter", "2023Q1", "--as-of", "2023-03-31", "--out", str(out),
            "--db", f"sqlite:///{tmp_path / 'w.db'}", "--no-progress",
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
    rows = list(csv.DictReader((out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()))
    found = {(r["target"], r["problem"]) for r in rows if r["indicator"] == "site.annual_report"}
    assert found == {
        (sites[ANNUAL_MISSING_SITE], "未公开2022年政府网站工作年度报表"),
        (
            sites[ANNUAL_LATE_SITE],
            "2022年政府信息公开工作年度报告公开时间（2023-02-03）晚于规定时限（2023年1月31日）",
        ),
    }
