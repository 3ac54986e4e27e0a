"""Quarters (``2022Q3``) and the check time (监测时间点), as Asia/Shanghai calendar dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workbench.errors import QuarterError

SHANGHAI = ZoneInfo("Asia/Shanghai")
_QUARTER = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
_CHINESE_ORDINALS = "一二三四"


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def chinese(self) -> str:
        """``2022年第三季度``."""
        return f"{self.year}年第{_CHINESE_ORDINALS[self.number - 1]}季度"

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return self.label


def parse_quarter(text: str) -> Quarter:
    """Parse ``2022Q3`` (case and spaces tolerated); raise QuarterError in Chinese otherwise."""
    m = _QUARTER.match(text or "")
    if not m:
        raise QuarterError(f"无法识别的季度“{text}”：应写成“2022Q3”这样的形式（年份+Q+1至4）。")
    year = int(m.group(1))
    if not 2000 <= year <= 2100:
        raise QuarterError(f"季度“{text}”的年份不在2000至2100之间。")
    return Quarter(year, int(m.group(2)))


# ``--quarter previous`` (a scheduled run a few days after the quarter ends) and ``current``.
_RELATIVE = {"previous": -1, "上季度": -1, "current": 0, "本季度": 0}


def quarter_of(day: date) -> Quarter:
    """The quarter ``day`` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_from_arg(text: str, *, today: date | None = None) -> Quarter:
    """``2022Q3``, or ``previous`` / ``current`` counted from today (Asia/Shanghai)."""
    offset = _RELATIVE.get((text or "").strip().lower())
    if offset is None:
        try:
            return parse_quarter(text)
        except QuarterError as exc:
            raise QuarterError(f"{exc}也可写 previous（上一季度）或 current（本季度）。") from None
    this = quarter_of(today or today_shanghai())
    return this.previous() if offset < 0 else this


def today_shanghai() -> date:
    return datetime.now(SHANGHAI).date()


def parse_as_of(text: str | None, quarter: Quarter, *, today: date | None = None) -> date:
    """The 监测时间点: the given date, else the quarter's last day, or today if not over yet."""
    today = today or today_shanghai()
    if text:
        try:
            value = date.fromisoformat(text.strip())
        except ValueError:
            raise QuarterError(
                f"无法识别的监测时间点“{text}”：应写成“2022-09-30”这样的日期。"
            ) from None
        if value < quarter.start:
            raise QuarterError(
                f"监测时间点{value.isoformat()}早于{quarter.chinese}的开始日期"
                f"{quarter.start.isoformat()}。"
            )
        return value
    return min(quarter.end, today)
