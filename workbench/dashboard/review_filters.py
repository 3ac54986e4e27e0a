"""Filtering and sorting the 问题审核 table (pure functions over ``ReviewedQuarter.findings``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.dashboard import labels


def kind_label(row: Any) -> str:
    kind = labels.KIND_LABELS.get(str(row["target_kind"]), str(row["target_kind"]))
    return f"{kind}·{row['platform']}" if row.get("platform") else kind


def filter_findings(
    frame: pd.DataFrame,
    *,
    unit: str = "",
    kind: str = "",
    indicator: str = "",
    veto: str = "",
    status: str = "",
    text: str = "",
) -> pd.DataFrame:
    """The rows matching every non-empty filter (``veto``: "是"/"否"/"线索"; ``text``: substring)."""
    out = frame
    if unit:
        out = out[out["unit"] == unit]
    if kind:
        out = out[out["target_kind"] == kind]
    if indicator:
        out = out[out["indicator"] == indicator]
    if veto == "线索":
        out = out[out["lead"]] if "lead" in out else out.iloc[0:0]
    elif veto:
        out = out[out["veto"] == (veto == "是")]
    if status:
        out = out[out["status"] == status]
    if text:
        hay = out["unit"] + " " + out["target"] + " " + out["shown_problem"].astype(str)
        if "label" in out:
            hay = hay + " " + out["label"].astype(str)
        out = out[hay.str.contains(text, regex=False, case=False)]
    return out


def sort_findings(frame: pd.DataFrame, key: str, descending: bool) -> pd.DataFrame:
    if frame.empty:
        return frame
    if key == "indicator":
        order = frame["indicator"].map(labels.indicator_title)
    elif key == "kind":
        order = frame["target_kind"] + frame["platform"].fillna("")
    elif key == "status":
        order = frame["status"].map({"pending": 0, "confirmed": 1, "dismissed": 2})
    else:
        order = frame[key]
    return (
        frame.assign(_order=order.to_numpy())
        .sort_values(
            ["_order", "unit", "target"], ascending=[not descending, True, True], kind="stable"
        )
        .drop(columns="_order")
    )
