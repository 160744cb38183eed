"""A report as plain records keyed as in the report contract (``don_vi`` and the column keys),
shared by the JSON and CSV writers."""

from __future__ import annotations

from decimal import Decimal

from storage.reports import Report, ReportRow, Translate

Cell = str | int | float


def row_record(report: Report, row: ReportRow, translate: Translate) -> dict[str, Cell]:
    """One row: counts as integers, rates as numbers with two decimals."""
    record: dict[str, Cell] = {"don_vi": row.label(translate)}
    for column in report.columns:
        value = row.values[column.key]
        record[column.key] = float(value) if isinstance(value, Decimal) else value
    return record


def row_records(report: Report, translate: Translate) -> list[dict[str, Cell]]:
    """Every child row, then the total row (``don_vi`` = "Tổng cộng")."""
    return [row_record(report, row, translate) for row in report.all_rows]


def warning_records(report: Report, translate: Translate) -> list[dict[str, str]]:
    """The ``canh_bao`` entries: the row's unit and the warning in words."""
    return [
        {"don_vi": warning.unit_label(translate), "noi_dung": warning.message.render(translate)}
        for warning in report.warnings
    ]
