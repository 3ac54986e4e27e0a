"""Charts shared by the quarterly notebook and the dashboard (matplotlib, Chinese labels)."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from workbench.models import INDICATOR_TITLES

CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "DejaVu Sans",
]


_CJK_FILE_HINTS = ("CJK", "wqy", "SourceHan", "NotoSansSC", "simhei", "msyh")


def cjk_font_available() -> bool:
    """True when matplotlib knows a CJK font, after registering any the system has.

    matplotlib caches its font list on first use; fonts installed later (Debian's
    fonts-noto-cjk on a machine that already drew a chart) are added here by file.
    """
    from matplotlib import font_manager

    def known() -> bool:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return any(name in names for name in CJK_FONTS[:-1])

    if known():
        return True
    for path in font_manager.findSystemFonts():
        if any(hint.lower() in path.lower() for hint in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return known()


def use_cjk_fonts() -> None:
    """Prefer a CJK font for labels; without one, matplotlib falls back silently."""
    import matplotlib

    cjk_font_available()
    matplotlib.rcParams["font.sans-serif"] = CJK_FONTS
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    warnings.filterwarnings("ignore", message="Glyph .* missing from font")


def findings_by_indicator_chart(findings: pd.DataFrame) -> Any:
    """A horizontal bar chart: number of findings per indicator (veto ones first)."""
    import matplotlib.pyplot as plt

    use_cjk_fonts()
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * max(1, findings["indicator"].nunique())))
    if findings.empty:
        ax.text(0.5, 0.5, "本季度未发现问题", ha="center", va="center", fontsize=14)
        ax.set_axis_off()
        plt.close(fig)
        return fig
    counts = findings.groupby("indicator").size().sort_values()
    labels = [INDICATOR_TITLES.get(i, i) for i in counts.index]
    ax.barh(labels, counts.to_numpy(), color="#c0392b")
    for y, value in enumerate(counts.to_numpy()):
        ax.text(float(value), y, f" {value}", va="center")
    ax.set_xlabel("问题数量（条）")
    ax.set_title("各指标发现的问题数量")
    fig.tight_layout()
    plt.close(fig)
    return fig


def _png(fig: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


def counts_bar_png(counts: pd.Series, *, title: str, xlabel: str = "问题数量（条）") -> bytes:
    """A horizontal bar chart of ``counts`` (label → number) as PNG bytes, largest on top."""
    import matplotlib.pyplot as plt

    use_cjk_fonts()
    counts = counts.sort_values()
    fig, ax = plt.subplots(figsize=(5.6, 0.9 + 0.34 * max(1, len(counts))))
    if counts.empty:
        ax.text(0.5, 0.5, "暂无问题", ha="center", va="center", fontsize=13)
        ax.set_axis_off()
    else:
        ax.barh([str(i) for i in counts.index], counts.to_numpy(), color="#9b1c1c")
        for y, value in enumerate(counts.to_numpy()):
            ax.text(float(value), y, f" {value}", va="center", fontsize=9)
        ax.set_xlabel(xlabel)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=12)
    fig.tight_layout()
    plt.close(fig)
    return _png(fig)


def pass_rate_trend_png(trend: pd.DataFrame) -> bytes:
    """Pass rates (percent) by quarter, one line per category: columns quarter, 类别, rate."""
    import matplotlib.pyplot as plt

    use_cjk_fonts()
    fig, ax = plt.subplots(figsize=(5.6, 3.0))
    for label, part in trend.groupby("类别", sort=False):
        ax.plot(part["quarter"], part["rate"], marker="o", label=str(label))
        for x, y in zip(part["quarter"], part["rate"], strict=True):
            ax.annotate(f"{y:.1f}%", (x, y), textcoords="offset points", xytext=(0, 6), fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("合格率（%）")
    ax.set_title("各季度合格率", fontsize=12)
    ax.legend(loc="lower right", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    plt.close(fig)
    return _png(fig)
