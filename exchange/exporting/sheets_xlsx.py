"""A workbook of simple tables: one sheet per table, a bold title row, a bold header row, then
the rows (numbers stay numbers so the figures can be summed in Excel). Used by the support-plan
summary, whose labels are translated by the caller."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int
MAX_SHEET_NAME = 31
"""Excel refuses longer sheet names."""
_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]


def sheets_xlsx(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for sheet in sheets:
        name = sheet.name.translate(_FORBIDDEN).strip()[:MAX_SHEET_NAME] or "Sheet"
        page = workbook.create_sheet(name)
        page.append([sheet.title])
        page["A1"].font = Font(bold=True, size=12)
        page.append(list(sheet.header))
        for cell in page[2]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            page.append(list(row))
        for index, _column in enumerate(sheet.header, start=1):
            values = [str(r[index - 1]) for r in sheet.rows if len(r) >= index]
            width = max([len(sheet.header[index - 1]), *map(len, values)]) + 2
            page.column_dimensions[get_column_letter(index)].width = min(width, 70)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
