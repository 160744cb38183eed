"""The lists a commune sends after approving its annual review, as one workbook: a sheet per
list (poor, near-poor, escaped, newly poor…), each in the official layout: the national
heading, the unit and date, a title, numbered rows (STT, household code, head, village, class,
deprivations) and the signature blocks, A4 landscape.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from exchange.official_wording import MOTTO, NATION, PEOPLES_COMMITTEE, PREPARER, SERIAL
from poverty.i18n import N_

Translate = Callable[[str], str]

COLUMNS = (
    (SERIAL, 6),
    (N_("Mã hộ"), 14),
    (N_("Họ và tên chủ hộ"), 28),
    (N_("Thôn"), 20),
    (N_("Phân loại"), 18),
    (N_("Chỉ số thiếu hụt"), 60),
)
ON_BEHALF = N_("TM. ỦY BAN NHÂN DÂN")
CHAIR = N_("CHỦ TỊCH")
DATE_LINE = N_("ngày {d} tháng {m} năm {y}")
TOTAL = N_("Tổng cộng: {count} hộ")
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTERED = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class ListRow:
    code: str
    head_name: str
    village: str
    status: str
    deprivations: str


@dataclass(frozen=True)
class HouseholdList:
    sheet: str
    title: str
    rows: Sequence[ListRow]


def review_lists_xlsx(
    unit: str, place: str, day: date, lists: Sequence[HouseholdList], translate: Translate
) -> bytes:
    """``unit``: the issuing People's Committee's area (``Xã Tân Lập``); ``place``: the place
    name in the date line."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for entry in lists:
        _write_list(workbook.create_sheet(entry.sheet[:31]), unit, place, day, entry, translate)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_list(
    sheet: Worksheet, unit: str, place: str, day: date, entry: HouseholdList, translate: Translate
) -> None:
    width = len(COLUMNS)
    half = width // 2
    heading = (
        (1, 1, half, f"{translate(PEOPLES_COMMITTEE)} {unit.upper()}"),
        (1, half + 1, width, translate(NATION)),
        (2, half + 1, width, translate(MOTTO)),
        (3, half + 1, width, f"{place}, " + translate(DATE_LINE).format(
            d=f"{day.day:02d}", m=f"{day.month:02d}", y=day.year)),
        (5, 1, width, entry.title.upper()),
    )  # fmt: skip
    for row, start, end, text in heading:
        sheet.merge_cells(start_row=row, start_column=start, end_row=row, end_column=end)
        cell = sheet.cell(row=row, column=start, value=text)
        cell.font = Font(bold=row != 3, italic=row == 3, size=13 if row == 5 else 11)
        cell.alignment = CENTERED
    header = 7
    for number, (title, size) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header, column=number, value=translate(title))
        cell.font, cell.alignment, cell.border = BOLD, CENTERED, BORDER
        sheet.column_dimensions[get_column_letter(number)].width = size
    row = header
    for index, item in enumerate(entry.rows, start=1):
        row += 1
        values: tuple[int | str, ...] = (
            index, item.code, item.head_name, item.village, item.status, item.deprivations,
        )  # fmt: skip
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=number, value=value)
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    row += 1
    sheet.cell(row=row, column=1, value=translate(TOTAL).format(
        count=len(entry.rows))).font = BOLD  # fmt: skip
    row += 2
    for column, text in ((2, PREPARER), (5, ON_BEHALF)):
        cell = sheet.cell(row=row, column=column, value=translate(text))
        cell.font, cell.alignment = BOLD, CENTERED
    sheet.cell(row=row + 1, column=5, value=translate(CHAIR)).font = BOLD
    sheet.cell(row=row + 1, column=5).alignment = CENTERED
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
