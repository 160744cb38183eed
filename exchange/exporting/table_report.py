"""The terminal form of a report: a rich table with Vietnamese titles and number forms
(``1.087``; ``3,04``), the total row in bold, and the warnings in yellow below it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from poverty.formatting import format_decimal, format_int
from poverty.i18n import N_
from storage.reports import UNIT_COLUMN_TITLE, Report, Translate
from storage.reports.appendix_1 import NEAR_POOR_COLUMNS
from storage.reports.model import Column

UNIT_LINE = N_("Đơn vị: {unit}")
STANDARD_LINE = N_("Chuẩn nghèo: {standard}")
LEGEND_TITLE = N_("Ghi chú:")
WARNINGS_TITLE = N_("Cảnh báo:")


def report_renderable(report: Report, translate: Translate) -> RenderableType:
    """The table, then the note, the indicator legend and the warnings."""
    parts: list[RenderableType] = [report_table(report, translate)]
    if report.note is not None:
        parts.append(Text(report.note.render(translate), style="italic"))
    if report.legend:
        legend = "; ".join(f"{entry.number}: {translate(entry.name)}" for entry in report.legend)
        parts.append(Text(f"{translate(LEGEND_TITLE)} {legend}", style="dim"))
    if report.warnings:
        parts.append(Text(translate(WARNINGS_TITLE), style="bold yellow"))
        parts += [
            Text(f"- {w.unit_label(translate)}: {w.message.render(translate)}", style="yellow")
            for w in report.warnings
        ]
    return Group(*parts)


def report_table(report: Report, translate: Translate) -> Table:
    """The rows as a rich table; Phụ lục 2 numbers its indicator columns as the official form."""
    title = report.title.render(translate)
    caption = "\n".join(
        (
            translate(UNIT_LINE).format(unit=report.unit_label),
            translate(STANDARD_LINE).format(standard=translate(report.standard_name)),
        )
    )
    table = Table(title=title, caption=caption, show_lines=False)
    table.add_column(translate(UNIT_COLUMN_TITLE), no_wrap=True)
    numbers = {entry.code: str(entry.number) for entry in report.legend}
    columns = _shown_columns(report)
    for column in columns:
        header = numbers.get(column.key) or translate(column.title)
        table.add_column(header, justify="right", no_wrap=True)
    for row in report.rows:
        table.add_row(row.label(translate), *_cells(columns, row.values))
    table.add_section()
    table.add_row(
        report.total.label(translate), *_cells(columns, report.total.values), style="bold"
    )
    return table


def _shown_columns(report: Report) -> tuple[Column, ...]:
    """The report's columns, then the near-poor figures when its rows carry them (Phụ lục 1:
    the title promises near-poor households; the JSON/CSV keys stay as they are)."""
    extra = tuple(
        column
        for column in NEAR_POOR_COLUMNS
        if all(column.key in row.values for row in (*report.rows, report.total))
    )
    return (*report.columns, *extra)


def _cells(columns: tuple[Column, ...], values: Mapping[str, int | Decimal]) -> list[str]:
    return [_number(values[column.key]) for column in columns]


def _number(value: int | Decimal) -> str:
    return format_decimal(float(value)) if isinstance(value, Decimal) else format_int(value)
