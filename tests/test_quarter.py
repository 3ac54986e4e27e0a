from datetime import date

import pytest

from workbench.errors import QuarterError
from workbench.quarter import parse_as_of, parse_quarter


def test_quarter_bounds_and_names() -> None:
    q = parse_quarter("2022Q3")
    assert (q.start, q.end, q.chinese, q.label) == (
        date(2022, 7, 1),
        date(2022, 9, 30),
        "2022年第三季度",
        "2022Q3",
    )
    assert parse_quarter(" 2023q4 ").end == date(2023, 12, 31)
    assert parse_quarter("2024Q1").previous().label == "2023Q4"


@pytest.mark.parametrize("text", ["2022Q5", "2022-3", "Q3", "", "22Q3", "1999Q1"])
def test_bad_quarter_is_a_chinese_error(text: str) -> None:
    with pytest.raises(QuarterError) as err:
        parse_quarter(text)
    assert "季度" in str(err.value)


def test_as_of_defaults_to_quarter_end_or_today() -> None:
    q = parse_quarter("2022Q3")
    assert parse_as_of(None, q, today=date(2023, 1, 1)) == date(2022, 9, 30)
    assert parse_as_of(None, q, today=date(2022, 8, 15)) == date(2022, 8, 15)
    assert parse_as_of("2022-09-20", q) == date(2022, 9, 20)
    with pytest.raises(QuarterError, match="监测时间点"):
        parse_as_of("2022/13/01", q)
    with pytest.raises(QuarterError, match="早于"):
        parse_as_of("2022-06-30", q)
