"""The year a result applies to, the standard of that year, and the movements between two
years' official classes."""

from __future__ import annotations

from datetime import date

import pytest

from poverty.classification import classify
from poverty.review import (
    ApprovedClass,
    applies_to_year,
    approved_class,
    class_of_year,
    kept_group,
    movement_rules,
    parse_movement_rules,
    period_label,
    result_year,
)
from poverty.standards import standard_for_year


def test_a_check_inside_the_2026_review_applies_to_2027_and_outside_to_this_year() -> None:
    assert applies_to_year(date(2026, 11, 20), reviewing_year=2026) == 2027
    assert applies_to_year(date(2026, 11, 20), reviewing_year=None) == 2026
    assert applies_to_year(date(2027, 3, 15), reviewing_year=None) == 2027


def test_2026_keeps_the_2022_2025_standard_and_2027_takes_the_new_one() -> None:
    assert standard_for_year(2026).id == "2022-2025"
    assert standard_for_year(2027).id == "2027-2030"
    assert period_label(standard_for_year(2027).id) == "2027–2030"
    assert standard_for_year(2027).provisional


def test_2_million_rural_with_3_deprivations_is_medium_in_2026_and_poor_in_2027() -> None:
    for year, expected in ((2026, "trung_binh"), (2027, "ngheo")):
        standard = standard_for_year(year)
        deprived = {code: index < 3 for index, code in enumerate(standard.codes)}
        assert classify(standard, "nong_thon", 2_000_000, deprived).result == expected, year


@pytest.mark.parametrize(
    ("before", "after", "poor_earlier", "movement"),
    [
        ("ngheo", "can_ngheo", False, "thoat_ngheo"),
        ("ngheo", "khong", False, "thoat_ngheo"),
        ("can_ngheo", "trung_binh", False, "thoat_can_ngheo"),
        (None, "ngheo", False, "ngheo_moi"),
        ("khong", "ngheo", False, "ngheo_moi"),
        ("khong", "ngheo", True, "tai_ngheo"),
        ("trung_binh", "can_ngheo", True, "can_ngheo_moi"),
        ("ngheo", "ngheo", False, None),
        ("khong", "trung_binh", False, None),
    ],
)
def test_movements_between_two_years(
    before: str | None, after: str, poor_earlier: bool, movement: str | None
) -> None:
    assert movement_rules().movement_of(before, after, poor_earlier) == movement


def test_a_movement_table_naming_an_unknown_movement_is_refused() -> None:
    raw = {
        "movements": {"thoat_ngheo": {"label": "Hộ thoát nghèo"}},
        "repoverty": "thoat_ngheo",
        "transitions": [{"from": "ngheo", "to": "khong", "movement": "khong_co"}],
    }
    with pytest.raises(ValueError, match="unknown movement"):
        parse_movement_rules(raw)


def test_approval_writes_the_checked_class_or_carries_the_class_of_the_review_year() -> None:
    assert approved_class("can_ngheo", "ngheo") == ApprovedClass("can_ngheo", carried=False)
    assert approved_class(None, "ngheo") == ApprovedClass("ngheo", carried=True)
    assert approved_class(None, None) is None


def test_a_poor_household_keeps_its_group_only_when_it_was_poor_the_year_before() -> None:
    assert kept_group("ngheo", "ngheo", "btxh") == "btxh"
    assert kept_group("ngheo", "can_ngheo", "btxh") is None
    assert kept_group("can_ngheo", "ngheo", "btxh") is None


def test_the_current_class_stands_for_a_year_unless_a_later_year_was_approved() -> None:
    assert class_of_year("ngheo", 2026, 2026) == "ngheo"
    assert class_of_year("ngheo", None, 2026) == "ngheo"
    assert class_of_year("khong", 2027, 2026) is None


def test_the_review_of_2026_decides_the_lists_of_2027() -> None:
    assert result_year(2026) == 2027
