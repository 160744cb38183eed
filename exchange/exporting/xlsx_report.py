"""The XLSX form of a report, laid out like the official appendix: the issuing People's
Committee and the national heading, title rows, two header rows with merged group titles (printed
on every page), bordered cells with ``#,##0`` and ``0.00`` formats, an STT column, a bold total
row, frozen headers, the indicator legend under Phụ lục 2, the place and date line and the
signature blocks, A4 landscape; and a second sheet "Cảnh báo".

The wording of the heading and the signatures is the PDF's (:mod:`.official_wording`)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from exchange.exporting.xlsx_layouts import SheetColumn, sheet_columns
from exchange.official_wording import (
    HEAD,
    HEAD_HINT,
    MOTTO,
    NATION,
    PEOPLES_COMMITTEE,
    PLACE_DATE,
    PREPARER,
    PREPARER_HINT,
)
from poverty.i18n import N_
from storage.reports import UNIT_COLUMN_TITLE, Report, Translate

SHEET_TITLES = {"phu-luc-1": N_("Phụ lục 1"), "phu-luc-2": N_("Phụ lục 2")}
UNIT_LINE = N_("Đơn vị: {unit}")
SUBTITLE = N_("(Kèm theo báo cáo năm {year}; {standard})")
LEGEND_TITLE = N_("Ghi chú:")
WARNINGS_SHEET = N_("Cảnh báo")
WARNING_UNIT = N_("Đơn vị")
WARNING_TEXT = N_("Nội dung")
NO_WARNINGS = N_("Không có cảnh báo.")

HEADING_ROWS = 3
"""The issuing committee and the national heading (two lines) and a blank line."""
HEADER_TOP = HEADING_ROWS + 5
FIRST_DATA_ROW = HEADER_TOP + 2
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTERED = Alignment(horizontal="center", vertical="center", wrap_text=True)
BOLD = Font(bold=True)


def report_xlsx(report: Report, translate: Translate) -> bytes:
    """The workbook as bytes, ready to be written to a ``.xlsx`` file."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = translate(SHEET_TITLES[report.kind])
    columns = sheet_columns(report)
    _heading(sheet, report, translate, len(columns))
    _title_rows(sheet, report, translate, len(columns))
    _header_rows(sheet, columns, translate)
    last_row = _data_rows(sheet, report, columns, translate)
    footer_end = _footer(sheet, report, translate, last_row)
    _signatures(sheet, report, translate, len(columns), footer_end + 2)
    _page_setup(sheet, columns)
    _warnings_sheet(workbook.create_sheet(translate(WARNINGS_SHEET)), report, translate)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def issuer_lines(report: Report, translate: Translate) -> tuple[str, str]:
    """The issuing body above the left half of an appendix: the People's Committee of the unit
    the report is for."""
    return translate(PEOPLES_COMMITTEE), report.unit.name.upper()


def _merged(sheet: Worksheet, row: int, columns: tuple[int, int], text: str, font: Font) -> None:
    """``text`` centred over ``columns`` (first and last, inclusive) of ``row``."""
    sheet.merge_cells(start_row=row, start_column=columns[0], end_row=row, end_column=columns[1])
    cell = sheet.cell(row=row, column=columns[0], value=text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center")


def _halves(width: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The left and right halves of the table's columns, for the heading and the signatures."""
    half = max(width // 2, 1)
    return (1, half), (half + 1, max(width, half + 1))


def _heading(sheet: Worksheet, report: Report, translate: Translate, width: int) -> None:
    left, right = _halves(width)
    committee, unit = issuer_lines(report, translate)
    _merged(sheet, 1, left, committee, BOLD)
    _merged(sheet, 2, left, unit, BOLD)
    _merged(sheet, 1, right, translate(NATION), BOLD)
    _merged(sheet, 2, right, translate(MOTTO), Font(bold=True, underline="single"))


def _title_rows(sheet: Worksheet, report: Report, translate: Translate, width: int) -> None:
    lines = (
        (report.title.render(translate), Font(bold=True, size=14)),
        (translate(UNIT_LINE).format(unit=report.unit_label), BOLD),
        (
            translate(SUBTITLE).format(year=report.year, standard=translate(report.standard_name)),
            Font(italic=True),
        ),
    )
    for row, (text, font) in enumerate(lines, start=HEADING_ROWS + 1):
        _merged(sheet, row, (1, width), text, font)
    sheet.cell(row=HEADER_TOP - 1, column=1, value=translate(SHEET_TITLES[report.kind]) + ":")
    sheet.cell(row=HEADER_TOP - 1, column=1).font = BOLD


def _header_rows(sheet: Worksheet, columns: list[SheetColumn], translate: Translate) -> None:
    top, sub = HEADER_TOP, HEADER_TOP + 1
    index = 0
    while index < len(columns):
        column = columns[index]
        number = index + 1
        if column.group is None:
            sheet.merge_cells(start_row=top, start_column=number, end_row=sub, end_column=number)
            sheet.cell(row=top, column=number, value=translate(column.title))
            index += 1
            continue
        end = index
        while end + 1 < len(columns) and columns[end + 1].group == column.group:
            end += 1
        sheet.merge_cells(start_row=top, start_column=number, end_row=top, end_column=end + 1)
        sheet.cell(row=top, column=number, value=translate(column.group))
        for position in range(index, end + 1):
            sheet.cell(row=sub, column=position + 1, value=translate(columns[position].title))
        index = end + 1
    for row in (top, sub):
        for number in range(1, len(columns) + 1):
            cell = sheet.cell(row=row, column=number)
            cell.font, cell.alignment, cell.border = BOLD, CENTERED, BORDER
    sheet.row_dimensions[top].height = 30
    sheet.row_dimensions[sub].height = 30


def _data_rows(
    sheet: Worksheet, report: Report, columns: list[SheetColumn], translate: Translate
) -> int:
    """Writes the child rows and the bold total row; returns the number of the last row."""
    numbered = [(index, row) for index, row in enumerate(report.rows, start=1)]
    lines = [*numbered, (None, report.total)]
    row_number = FIRST_DATA_ROW
    for index, row in lines:
        for position, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row_number, column=position)
            cell.value = column.value(index, row, translate)
            cell.border = BORDER
            if column.number_format:
                cell.number_format = column.number_format
            if index is None:
                cell.font = BOLD
        row_number += 1
    return row_number - 1


def _footer(sheet: Worksheet, report: Report, translate: Translate, last_row: int) -> int:
    """The note and the legend under the table, one blank row after its ``last_row``; returns
    the last row written (``last_row`` when there is neither)."""
    row = last_row
    if report.note is not None:
        row += 2
        sheet.cell(row=row, column=1, value=report.note.render(translate)).font = Font(italic=True)
    if report.legend:
        row += 2
        sheet.cell(row=row, column=1, value=translate(LEGEND_TITLE)).font = BOLD
        for entry in report.legend:
            row += 1
            sheet.cell(row=row, column=2, value=f"{entry.number}: {translate(entry.name)}")
    return row


def _signatures(
    sheet: Worksheet, report: Report, translate: Translate, width: int, first_row: int
) -> None:
    """The place and date line over the right half, then who signs: the person who drew up
    the table on the left, the head of the unit on the right, each with what to write."""
    left, right = _halves(width)
    place_date = translate(PLACE_DATE).format(year=report.year)
    _merged(sheet, first_row, right, place_date, Font(italic=True))
    for columns, (title, hint) in ((left, (PREPARER, PREPARER_HINT)), (right, (HEAD, HEAD_HINT))):
        _merged(sheet, first_row + 1, columns, translate(title), BOLD)
        _merged(sheet, first_row + 2, columns, translate(hint), Font(italic=True))


def _page_setup(sheet: Worksheet, columns: list[SheetColumn]) -> None:
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    unit_column = next(
        (n for n, c in enumerate(columns, start=1) if c.title == UNIT_COLUMN_TITLE), 1
    )
    sheet.freeze_panes = f"{get_column_letter(unit_column + 1)}{FIRST_DATA_ROW}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_TOP}:{HEADER_TOP + 1}"


def _warnings_sheet(sheet: Worksheet, report: Report, translate: Translate) -> None:
    sheet.append([translate(WARNING_UNIT), translate(WARNING_TEXT)])
    for cell in sheet[1]:
        cell.font, cell.border = BOLD, BORDER
    for warning in report.warnings:
        sheet.append([warning.unit_label(translate), warning.message.render(translate)])
        for cell in sheet[sheet.max_row]:
            cell.border = BORDER
    if not report.warnings:
        sheet.append([translate(NO_WARNINGS)])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = "A2"
