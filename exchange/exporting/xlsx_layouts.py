"""The columns of the two appendix sheets, as in the official forms (Cam Lộ plan 23/KH-UBND,
2022): two header rows, a merged group title over the "of which" columns, rates in percent.

In Phụ lục 1 the rates under "Trong đó" are shares of all households of the unit, as the
official form computes them (Thanh An: 100 BTXH households of 2.693 → 3,71).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from exchange.official_wording import SERIAL
from poverty.i18n import N_
from storage.reports import UNIT_COLUMN_TITLE, Report, ReportRow, Translate
from storage.reports.appendix_1 import (
    NEAR_POOR_KEY,
    NEAR_POOR_MINORITY_KEY,
    NEAR_POOR_RATE_KEY,
)
from storage.reports.model import percent

COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.00"

Cell = str | int | float | None
Getter = Callable[[int | None, ReportRow, Translate], Cell]


@dataclass(frozen=True)
class SheetColumn:
    """One column of the sheet: header title (a msgid or an indicator number), width, format,
    an optional merged group title above it, and how a row gives its value."""

    title: str
    value: Getter
    width: float = 11
    number_format: str | None = None
    group: str | None = None


def _label(_: int | None, row: ReportRow, translate: Translate) -> Cell:
    return row.label(translate)


def _serial(index: int | None, _row: ReportRow, _translate: Translate) -> Cell:
    return index


def _count(key: str) -> Getter:
    def get(_: int | None, row: ReportRow, _translate: Translate) -> Cell:
        return int(row.values[key])

    return get


def _rate(key: str) -> Getter:
    def get(_: int | None, row: ReportRow, _translate: Translate) -> Cell:
        return float(Decimal(row.values[key]))

    return get


def _share(key: str) -> Getter:
    def get(_: int | None, row: ReportRow, _translate: Translate) -> Cell:
        return float(percent(int(row.values[key]), int(row.values["tong_so_ho"])))

    return get


OF_WHICH = N_("Trong đó")
RATE = N_("Tỷ lệ %")


def appendix_1_columns(_report: Report) -> list[SheetColumn]:
    """STT | Đơn vị | Dân cư (Hộ) | Hộ DTTS | Hộ nghèo | Tỷ lệ % | Trong đó: DTTS, Tỷ lệ %,
    Hộ BTXH, Tỷ lệ %, CSGN, Tỷ lệ % | Hộ cận nghèo | Tỷ lệ % | Trong đó: DTTS, Tỷ lệ %.

    The near-poor columns are figures of the rows that are not report columns (the JSON and CSV
    keys stay as they are); their rates are shares of all households, as the poor ones."""
    return [
        SheetColumn(SERIAL, _serial, width=6),
        SheetColumn(UNIT_COLUMN_TITLE, _label, width=26),
        SheetColumn(N_("Dân cư (Hộ)"), _count("tong_so_ho"), number_format=COUNT_FORMAT),
        SheetColumn(N_("Hộ DTTS"), _count("ho_dtts"), number_format=COUNT_FORMAT),
        SheetColumn(N_("Hộ nghèo"), _count("ho_ngheo"), number_format=COUNT_FORMAT),
        SheetColumn(RATE, _rate("ty_le_ngheo"), number_format=RATE_FORMAT),
        SheetColumn(N_("DTTS"), _count("ho_ngheo_dtts"), 9, COUNT_FORMAT, OF_WHICH),
        SheetColumn(RATE, _share("ho_ngheo_dtts"), 9, RATE_FORMAT, OF_WHICH),
        SheetColumn(N_("Hộ BTXH"), _count("ho_ngheo_btxh"), 9, COUNT_FORMAT, OF_WHICH),
        SheetColumn(RATE, _share("ho_ngheo_btxh"), 9, RATE_FORMAT, OF_WHICH),
        SheetColumn(N_("CSGN"), _count("ho_ngheo_csgn"), 9, COUNT_FORMAT, OF_WHICH),
        SheetColumn(RATE, _share("ho_ngheo_csgn"), 9, RATE_FORMAT, OF_WHICH),
        SheetColumn(N_("Hộ cận nghèo"), _count(NEAR_POOR_KEY), number_format=COUNT_FORMAT),
        SheetColumn(RATE, _rate(NEAR_POOR_RATE_KEY), number_format=RATE_FORMAT),
        SheetColumn(N_("DTTS"), _count(NEAR_POOR_MINORITY_KEY), 9, COUNT_FORMAT, OF_WHICH),
        SheetColumn(RATE, _share(NEAR_POOR_MINORITY_KEY), 9, RATE_FORMAT, OF_WHICH),
    ]


DEPRIVATIONS = N_("Chỉ số thiếu hụt DVXH cơ bản")


def appendix_2_columns(report: Report) -> list[SheetColumn]:
    """STT | Đơn vị | Tổng số hộ nghèo | Chỉ số thiếu hụt DVXH cơ bản: 1 … n (see the legend)."""
    return [
        SheetColumn(SERIAL, _serial, width=6),
        SheetColumn(UNIT_COLUMN_TITLE, _label, width=26),
        SheetColumn(N_("Tổng số hộ nghèo"), _count("ho_ngheo"), 12, COUNT_FORMAT),
        *(
            SheetColumn(str(entry.number), _count(entry.code), 7, COUNT_FORMAT, DEPRIVATIONS)
            for entry in report.legend
        ),
    ]


def sheet_columns(report: Report) -> list[SheetColumn]:
    """The columns of the appendix the report is."""
    if report.kind == "phu-luc-1":
        return appendix_1_columns(report)
    return appendix_2_columns(report)
