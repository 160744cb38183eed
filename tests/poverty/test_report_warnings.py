"""The warnings of an appendix row, from its counts."""

from __future__ import annotations

from poverty.report_warnings import (
    DISAGREES,
    TOO_FEW,
    UNGROUPED,
    RowCounts,
    RowWarning,
    row_warnings,
)
from poverty.standards import standard_for_year

STANDARD = standard_for_year(2025)


def test_a_row_that_adds_up_has_no_warning() -> None:
    assert row_warnings(RowCounts(10, 4, 6, 0, 0), STANDARD) == []


def test_poor_households_without_a_group_are_named_with_the_shortfall() -> None:
    assert row_warnings(RowCounts(10, 4, 3, 0, 0), STANDARD) == [
        RowWarning(UNGROUPED, {"btxh": 4, "csgn": 3, "poor": 10, "count": 3})
    ]


def test_too_few_deprivations_cites_the_standard_minimum() -> None:
    found = row_warnings(RowCounts(5, 2, 3, 2, 0), STANDARD)
    assert found == [
        RowWarning(TOO_FEW, {"count": 2, "min": STANDARD.min_deprivations, "standard": STANDARD.id})
    ]


def test_every_warning_of_a_row_comes_in_a_fixed_order() -> None:
    found = row_warnings(RowCounts(5, 0, 0, 1, 2), STANDARD)
    assert [w.msgid for w in found] == [UNGROUPED, TOO_FEW, DISAGREES]
    assert found[2].params == {"count": 2}


def test_the_ungrouped_count_is_poor_minus_both_groups() -> None:
    assert RowCounts(9, 2, 3, 0, 0).ungrouped_poor == 4
