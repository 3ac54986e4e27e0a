"""A findings-table row for store tests (SQLite, PostgreSQL, concurrency)."""

from __future__ import annotations

from typing import Any


def finding_row(fid: str, problem: str = "首页长期未更新", **overrides: Any) -> dict[str, Any]:
    """One row of ``store.findings`` as ``save_findings`` takes it."""
    row: dict[str, Any] = {
        "finding_id": fid,
        "quarter": "2022Q3",
        "unit": "市水利局",
        "target_kind": "website",
        "target": "http://127.0.0.1/",
        "platform": "",
        "indicator": "site.homepage_stale",
        "veto": True,
        "points": 0.0,
        "problem": problem,
        "evidence_url": "",
        "detail": "{}",
    }
    row.update(overrides)
    return row
