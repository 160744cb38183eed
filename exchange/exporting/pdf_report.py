"""The PDF form of an appendix report, in the official layout (:mod:`.pdf_document`): the
issuing commune or province and the national heading, the appendix title, the table of
:mod:`.xlsx_layouts` with an STT column first, the legend of Phụ lục 2, the report's note and its
warnings, and the signature block (the person who drew up the table, the head of the unit).

Zalo accepts PDF files and not xlsx (reference/channels.md §0), so this is what a manager on
Zalo receives, and ``giamngheo report … --format pdf`` writes the same file.
"""

from __future__ import annotations

from exchange.exporting.pdf_document import OfficialTable, TableColumn, official_pdf, table_rows
from exchange.exporting.xlsx_layouts import RATE_FORMAT, SheetColumn, sheet_columns
from exchange.exporting.xlsx_report import (
    LEGEND_TITLE,
    SHEET_TITLES,
    SUBTITLE,
    UNIT_LINE,
    issuer_lines,
)
from exchange.official_wording import (
    HEAD,
    HEAD_HINT,
    MOTTO,
    NATION,
    PLACE_DATE,
    PREPARER,
    PREPARER_HINT,
    SERIAL,
)
from poverty.formatting import format_decimal, format_int
from poverty.i18n import N_
from storage.reports import UNIT_COLUMN_TITLE, Report, Translate
from storage.reports.model import ReportRow

WARNINGS_TITLE = N_("Cảnh báo số liệu:")
WARNING_LINE = N_("- {unit}: {text}")


def _cell(column: SheetColumn, index: int | None, row: ReportRow, translate: Translate) -> str:
    value = column.value(index, row, translate)
    if value is None:
        return ""
    if isinstance(value, float):
        return format_decimal(value) if column.number_format == RATE_FORMAT else str(value)
    if isinstance(value, int):
        return format_int(value)
    return value


def appendix_table(report: Report, translate: Translate) -> OfficialTable:
    """The report as an official table, translated."""
    columns = sheet_columns(report)
    has_serial = columns[0].title == SERIAL
    table_columns = [
        TableColumn(
            translate(column.title),
            column.width,
            translate(column.group) if column.group else None,
            "left" if column.title == UNIT_COLUMN_TITLE else "right",
        )
        for column in columns
    ]
    if has_serial:
        table_columns[0] = TableColumn(translate(SERIAL), columns[0].width, align="center")
    else:
        table_columns.insert(0, TableColumn(translate(SERIAL), 5, align="center"))
    lines: list[tuple[int | None, ReportRow]] = list(enumerate(report.rows, start=1))
    lines.append((None, report.total))
    rows = []
    for index, row in lines:
        cells = [_cell(column, index, row, translate) for column in columns]
        if not has_serial:
            cells.insert(0, "" if index is None else str(index))
        rows.append(cells)
    notes: list[str] = []
    if report.legend:
        legend = "; ".join(f"{entry.number}: {translate(entry.name)}" for entry in report.legend)
        notes.append(f"{translate(LEGEND_TITLE)} {legend}")
    if report.note is not None:
        notes.append(report.note.render(translate))
    if report.warnings:
        notes.append(translate(WARNINGS_TITLE))
        notes += [
            translate(WARNING_LINE).format(
                unit=warning.unit_label(translate), text=warning.message.render(translate)
            )
            for warning in report.warnings
        ]
    title = report.title.render(translate)
    return OfficialTable(
        issuer=issuer_lines(report, translate),
        national=(translate(NATION), translate(MOTTO)),
        title=(
            translate(SHEET_TITLES[report.kind]).upper(),
            title,
            translate(UNIT_LINE).format(unit=report.unit_label),
            translate(SUBTITLE).format(year=report.year, standard=translate(report.standard_name)),
        ),
        columns=tuple(table_columns),
        rows=table_rows(rows),
        bold_rows=frozenset({len(rows) - 1}),
        notes=tuple(notes),
        place_date=translate(PLACE_DATE).format(year=report.year),
        signers=(
            (translate(PREPARER), translate(PREPARER_HINT)),
            (translate(HEAD), translate(HEAD_HINT)),
        ),
        metadata_title=f"{translate(SHEET_TITLES[report.kind])} – {report.unit_label}",
    )


def report_pdf(report: Report, translate: Translate) -> bytes:
    """The PDF file of the report (A4 landscape, fonts embedded)."""
    return official_pdf(appendix_table(report, translate))
