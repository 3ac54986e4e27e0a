"""站点无法访问 (site.unreachable): the monitoring week as the national rule reads.

The week is the 7 × 24 hours ending with the last probe on or before the check time; every
probe in it counts; each day needs ≥ 20 probes; failures ≥ 5 % are a veto (超过（含）5%).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from workbench.facts import Facts, ProbeFact
from workbench.indicators import run_indicators
from workbench.models import Inventory, Website
from workbench.monitoring import monitoring_week
from workbench.rules import load_rules

AS_OF = date(2022, 9, 30)
RULES = load_rules()
SITE = Website("市审计局", "审计局网站", "http://127.0.0.1:8001/", "部门网站")


def hourly(last: datetime, failed: int, *, count: int = 168, slow: int = 0) -> list[ProbeFact]:
    """``count`` hourly probes ending at ``last``; the first ``failed`` fail, the next ``slow``
    succeed after 16 s."""
    out = []
    for i in range(count):
        when = last - timedelta(hours=count - 1 - i)
        elapsed = 16_000 if failed <= i < failed + slow else 300
        out.append(ProbeFact(SITE.url, when, i >= failed, elapsed))
    return out


def judge(probes: list[ProbeFact]) -> list:  # type: ignore[type-arg]
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), [SITE]), probes=probes)
    return [f for f in run_indicators(facts, RULES, ids=["site.unreachable", "check.incomplete"])]


EVENING_BEFORE = datetime(2022, 9, 29, 20, 0)


@pytest.mark.parametrize(
    ("failed", "veto"),
    [(8, False), (9, True), (10, True)],  # 8/168 = 4.76 %; 9/168 = 5.36 %; 10/168 = 5.95 %
)
def test_a_week_ending_the_evening_before_keeps_all_its_probes(failed: int, veto: bool) -> None:
    found = judge(hourly(EVENING_BEFORE, failed))
    assert [f.indicator for f in found] == (["site.unreachable"] if veto else [])
    if veto:
        finding = found[0]
        assert finding.veto and finding.detail["total"] == 168
        assert finding.detail["failed"] == failed
        assert "2022-09-22 21:00至2022-09-29 20:00" in finding.problem
        assert f"其中{failed}次无法访问" in finding.problem and "共探测首页168次" in finding.problem
        assert "超过（含）5%" in finding.problem


def test_exactly_five_percent_is_a_veto() -> None:
    # 7 days × 20 probes = 140; 7 failures = 5.00 % (超过（含）5%)
    last = datetime(2022, 9, 30, 18, 0)
    step = timedelta(minutes=72)
    probes = [ProbeFact(SITE.url, last - i * step, i >= 7) for i in range(140)]
    assert [f.indicator for f in judge(probes)] == ["site.unreachable"]
    probes = [ProbeFact(SITE.url, last - i * step, i >= 6) for i in range(140)]
    assert judge(probes) == []


def test_probes_after_the_check_time_are_not_in_the_week() -> None:
    # hourly probes run on into October; the week ends with the last probe on 30 September
    probes = hourly(datetime(2022, 10, 3, 23, 0), 0, count=168 + 72)
    failures = [ProbeFact(SITE.url, datetime(2022, 10, 2, h, 30), False) for h in range(20)]
    week = monitoring_week(probes + failures, AS_OF)
    assert week is not None and week.last == datetime(2022, 9, 30, 23, 0)
    assert week.total == 168 and week.failed == 0
    assert judge(probes + failures) == []


def test_every_day_needs_twenty_probes_not_only_the_total() -> None:
    # 200 probes in all, but one day of the week holds only 10: no verdict either way
    probes = hourly(EVENING_BEFORE, 20)
    thin_day = EVENING_BEFORE - timedelta(days=3)
    probes = [p for p in probes if not (thin_day - timedelta(hours=14) < p.time <= thin_day)]
    probes += [ProbeFact(SITE.url, EVENING_BEFORE - timedelta(minutes=m), True) for m in (1, 2)]
    found = judge(probes)
    assert [f.indicator for f in found] == ["check.incomplete"] and not found[0].veto
    assert "有1天可用性探测不足20次（最少的一天10次）" in found[0].problem


def test_nineteen_probes_on_a_day_is_incomplete_twenty_is_judged() -> None:
    last = datetime(2022, 9, 30, 12, 0)

    def week(per_day: int) -> list[ProbeFact]:
        step = timedelta(days=1) / per_day
        return [ProbeFact(SITE.url, last - i * step, i >= 0) for i in range(7 * per_day)]

    assert [f.indicator for f in judge(week(19))] == ["check.incomplete"]
    assert judge(week(20)) == []


def test_a_success_after_fifteen_seconds_is_a_failure() -> None:
    assert judge(hourly(EVENING_BEFORE, 4, slow=4)) == []  # 8 / 168
    found = judge(hourly(EVENING_BEFORE, 4, slow=5))  # 9 / 168
    assert [f.indicator for f in found] == ["site.unreachable"]


def test_no_probe_in_the_quarter_means_no_verdict() -> None:
    assert judge([]) == []
    before_quarter = hourly(datetime(2022, 6, 25, 12, 0), 100)
    assert judge(before_quarter) == []


def test_imported_and_own_probes_both_count() -> None:
    own = hourly(EVENING_BEFORE, 0)
    imported = [
        ProbeFact(SITE.url, EVENING_BEFORE - timedelta(hours=h, minutes=30), False)
        for h in range(9)
    ]
    week = monitoring_week(own + imported, AS_OF)
    assert week is not None and (week.total, week.failed) == (177, 9)
    assert [f.indicator for f in judge(own + imported)] == ["site.unreachable"]
