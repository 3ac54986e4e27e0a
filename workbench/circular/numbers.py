"""Numbers and dates as a 通报 writes them: pass rates, quarters, Chinese numerals, dates.

Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CHINESE_DIGITS = "零一二三四五六七八九"


def format_rate(qualified: int, checked: int) -> str:
    """A pass rate (合格率) as circulars print it.

    Two decimals, rounded half up (111/112 → ``99.11%``), or a whole number when the rate is
    exact (44/44 → ``100%``, 1/2 → ``50%``). With nothing checked there is no rate: ``—``.
    """
    if checked <= 0:
        return "—"
    if qualified < 0 or qualified > checked:
        raise ValueError(f"合格数{qualified}超出检查数{checked}")
    percent = Decimal(qualified) * 100 / Decimal(checked)
    if percent == percent.to_integral_value():
        return f"{int(percent)}%"
    return f"{percent.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def chinese_number(n: int) -> str:
    """Small non-negative integers in Chinese numerals (3 → 三, 12 → 十二, 21 → 二十一)."""
    if n < 0 or n >= 100:
        raise ValueError(f"unsupported number {n}")
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return head + "十" + (CHINESE_DIGITS[ones] if ones else "")


def chinese_ordinal_heading(n: int) -> str:
    """The ``（一）`` style ordinal of second-level headings, 1-based."""
    return f"（{chinese_number(n)}）"


def date_text(day: date) -> str:
    """A date as 公文 write it: ``2022年10月11日`` (Arabic digits, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(start: date, end: date) -> str:
    """A date range: ``2022年7月1日至9月30日`` (the year is not repeated within one year)."""
    if start.year == end.year:
        return f"{date_text(start)}至{end.month}月{end.day}日"
    return f"{date_text(start)}至{date_text(end)}"


@dataclass(frozen=True)
class PassStat:
    """Pass counts of one group of targets (all websites, one platform, …).

    ``total`` targets were in the inventory; ``incomplete`` of them could not be judged
    (data collection failed) and are counted apart; the rest were ``checked`` and are
    either ``qualified`` or ``unqualified``. The identities hold by construction.
    """

    label: str
    total: int
    incomplete: int
    qualified: int

    def __post_init__(self) -> None:
        if not 0 <= self.incomplete <= self.total:
            raise ValueError(f"{self.label}: incomplete {self.incomplete} of {self.total}")
        if not 0 <= self.qualified <= self.checked:
            raise ValueError(f"{self.label}: qualified {self.qualified} of {self.checked}")

    @property
    def checked(self) -> int:
        return self.total - self.incomplete

    @property
    def unqualified(self) -> int:
        return self.checked - self.qualified

    @property
    def rate(self) -> str:
        return format_rate(self.qualified, self.checked)
