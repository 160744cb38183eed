"""The empty import template (``giamngheo import template``): the household sheet with every
column, and a guide sheet that explains each column and the values it accepts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from exchange.importing.columns import all_columns
from poverty.i18n import N_

DATA_SHEET = N_("Danh sách hộ")
GUIDE_SHEET = N_("Hướng dẫn")
GUIDE_HEADERS = (N_("Cột"), N_("Bắt buộc"), N_("Ý nghĩa và giá trị nhận"), N_("Ví dụ"))
REQUIRED_MARK = N_("Có")
GUIDE_NOTE = N_(
    "Dòng 1 của trang “{sheet}” là tiêu đề, giữ nguyên. Mỗi dòng sau là một hộ. "
    "Ô có công thức phải được dán lại dưới dạng giá trị trước khi nhập."
)


def write_template(path: Path, translate: Callable[[str], str]) -> None:
    """Write the template to ``path`` with texts passed through ``translate`` (gettext)."""
    workbook = Workbook()
    bold = Font(bold=True)
    data = workbook.active
    assert data is not None
    data.title = translate(DATA_SHEET)
    columns = all_columns()
    data.append([column.name for column in columns])
    for cell in data[1]:
        cell.font = bold
    data.freeze_panes = "A2"
    for position, column in enumerate(columns, start=1):
        data.column_dimensions[get_column_letter(position)].width = max(12, len(column.name) + 2)

    guide = workbook.create_sheet(translate(GUIDE_SHEET))
    guide.append([translate(header) for header in GUIDE_HEADERS])
    for cell in guide[1]:
        cell.font = bold
    for column in columns:
        guide.append(
            [
                column.name,
                translate(REQUIRED_MARK) if column.required else "",
                translate(column.help).format(**column.help_params),
                column.example,
            ]
        )
    guide.append([])
    guide.append([translate(GUIDE_NOTE).format(sheet=data.title)])
    for letter, width in zip("ABCD", (26, 10, 90, 24), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
