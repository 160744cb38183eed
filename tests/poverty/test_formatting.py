from datetime import date

import pytest

from poverty.formatting import (
    format_date,
    format_decimal,
    format_int,
    format_money,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (999, "999"), (1087, "1.087"), (1500000, "1.500.000"), (-1234, "-1.234")],
)
def test_integers_use_dots_between_thousands(value: int, text: str) -> None:
    assert format_int(value) == text


def test_decimals_round_half_up_as_people_read_them() -> None:
    assert format_decimal(3.0396, digits=2) == "3,04"
    assert format_decimal(2.345) == "2,35"
    assert format_decimal(1234567.891) == "1.234.567,89"
    assert format_decimal(7, digits=0) == "7"


def test_money_is_written_in_dong() -> None:
    assert format_money(1500000) == "1.500.000 đồng"


def test_dates_are_day_first() -> None:
    assert format_date(date(2025, 12, 20)) == "20/12/2025"
    assert format_date(date(2026, 1, 5)) == "05/01/2026"
