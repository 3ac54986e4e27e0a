"""The availability monitoring week (站点无法访问, 国办秘函〔2019〕19号) from probe records.

The rule: monitor the homepage for one week, at least 20 probes a day; a probe fails when the
homepage has still not opened after 15 seconds (timeout, DNS/TLS/connection error, HTTP ≥ 400);
the site is unreachable when failures are 5 % or more of the probes (超过（含）5%).

Our reading (``docs/conformance.md``): the week is the 7 × 24 hours ending with the site's
last probe on or before the check time — ``(last − 7 days, last]`` — so a week of hourly
probes that ends the evening before the check time keeps all its 168 probes; every probe in
that window counts, whichever source recorded it (``workbench probe`` or ``probes.csv``);
each of the week's seven 24-hour days (counted back from the last probe) needs at least
``min_per_day`` probes, not only the total. A probe recorded as a success that took
``timeout_seconds`` or longer is a failure too. Times are naive Asia/Shanghai wall-clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from workbench.facts import ProbeFact

__all__ = ["ProbeWeek", "monitoring_week", "probe_failed"]


def probe_failed(probe: ProbeFact, timeout_seconds: float) -> bool:
    """True for a failed probe: recorded as failed, or slower than the timeout."""
    if not probe.ok:
        return True
    return probe.elapsed_ms is not None and probe.elapsed_ms >= timeout_seconds * 1000


@dataclass(frozen=True)
class ProbeWeek:
    """One site's monitoring week: its window, counts and probes per 24-hour day.

    ``days[0]`` is the day ending with the last probe, ``days[6]`` the first day of the week;
    each is ``(start exclusive, end inclusive, probes)``.
    """

    first: datetime  # the week's first probe
    last: datetime  # the week's last probe (the newest on or before the check time)
    total: int
    failed: int
    days: list[tuple[datetime, datetime, int]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.failed / self.total if self.total else 0.0

    def short_days(self, min_per_day: int) -> list[tuple[datetime, datetime, int]]:
        """The days of the week with fewer than ``min_per_day`` probes, oldest first."""
        return [d for d in reversed(self.days) if d[2] < min_per_day]


def monitoring_week(
    probes: Iterable[ProbeFact],
    as_of: date,
    *,
    days: int = 7,
    timeout_seconds: float = 15.0,
    not_before: date | None = None,
) -> ProbeWeek | None:
    """The monitoring week of one site's ``probes`` at the check time ``as_of`` (end of day).

    ``None`` when no probe lies on or before the check time (or none after ``not_before``:
    a week that ended before the quarter began says nothing about the quarter).
    """
    end_of_check = datetime.combine(as_of, time.max)
    usable = [p for p in probes if p.time <= end_of_check]
    if not usable:
        return None
    last = max(p.time for p in usable)
    if not_before is not None and last.date() < not_before:
        return None
    start = last - timedelta(days=days)
    week = [p for p in usable if start < p.time <= last]
    slices = []
    for k in range(days):
        hi = last - timedelta(days=k)
        lo = hi - timedelta(days=1)
        slices.append((lo, hi, sum(1 for p in week if lo < p.time <= hi)))
    return ProbeWeek(
        first=min(p.time for p in week),
        last=last,
        total=len(week),
        failed=sum(1 for p in week if probe_failed(p, timeout_seconds)),
        days=slices,
    )
