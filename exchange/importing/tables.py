"""Reading a household file (CSV or XLSX) into rows of text, before any column is interpreted.

Cadres export from Excel, LibreOffice or older provincial software, so a CSV may be UTF-8 with or
without a byte-order mark, or Windows-1258 (the Vietnamese ANSI code page, which writes tone marks
as combining characters and is therefore NFC-normalised after decoding); the delimiter is ``,`` or
``;`` depending on the regional settings. An XLSX file is read from its first sheet; a formula is
accepted only with the value Excel cached for it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import compress, zip_longest
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from poverty.i18n import N_
from poverty.import_issues import ImportFileError

UTF8 = N_("UTF-8")
UTF8_BOM = N_("UTF-8 có BOM")
CP1258 = N_("Windows-1258")
XLSX = N_("Excel (.xlsx)")

NOT_FOUND = N_("Không tìm thấy tệp {path}.")
UNSUPPORTED = N_("Chỉ đọc được tệp .csv hoặc .xlsx (tệp đã cho: {name}).")
UNREADABLE_XLSX = N_("Không đọc được tệp Excel {name}; hãy lưu lại dưới dạng .xlsx.")
UNREADABLE_TEXT = N_("Không đọc được tệp {name}: {reason}")
EMPTY = N_("Tệp trống: không có dòng tiêu đề.")
HEADER_ONLY = N_("Tệp chỉ có dòng tiêu đề, chưa có hộ nào.")

_BOM = b"\xef\xbb\xbf"
_DELIMITERS = (",", ";")


@dataclass(frozen=True)
class Table:
    """A file's header and non-blank data rows, stored column by column.

    ``numbers[i]`` is the row number the spreadsheet shows for data row ``i`` (the header is
    row 1); ``columns[j][i]`` is the text of that row's cell in column ``j``, as written (the
    checks strip it once per distinct text).
    ``encoding`` is a msgid naming the detected encoding (or the XLSX format). ``formula_cells``
    lists (row number, column index) of cells holding a formula without a stored value.
    Columns rather than rows, because every check then runs once per distinct value.
    """

    headers: tuple[str, ...]
    numbers: tuple[int, ...]
    columns: tuple[tuple[str, ...], ...]
    encoding: str
    formula_cells: tuple[tuple[int, int], ...] = ()

    def column(self, position: int) -> tuple[str, ...]:
        """The cells at ``position``; empty texts when rows stop short of it."""
        if position < len(self.columns):
            return self.columns[position]
        return ("",) * len(self.numbers)


def read_table(path: Path) -> Table:
    """Read ``path`` (``.csv`` or ``.xlsx``) into a :class:`Table`.

    Raises :class:`ImportFileError` for a missing, unreadable or empty file, or one with a header
    and no data rows.
    """
    if not path.is_file():
        raise ImportFileError(NOT_FOUND, path=str(path))
    suffix = path.suffix.lower()
    formulas: tuple[tuple[int, int], ...] = ()
    if suffix == ".csv":
        rows, encoding = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows, formulas = _read_xlsx(path)
        encoding = XLSX
    else:
        raise ImportFileError(UNSUPPORTED, name=path.name)
    headers = tuple(cell.strip() for cell in rows[0]) if rows else ()
    if not any(headers):
        raise ImportFileError(EMPTY)
    numbers = _data_row_numbers(rows, {number for number, _ in formulas})
    if not numbers:
        raise ImportFileError(HEADER_ONLY)
    kept = [rows[number - 1] for number in numbers]
    columns = tuple(zip_longest(*kept, fillvalue=""))
    return Table(headers, numbers, columns, encoding, formulas)


def _data_row_numbers(rows: list[list[str]], formula_rows: set[int]) -> tuple[int, ...]:
    """Row numbers of the rows after the header that are not blank: a cell with text in it, or
    a formula. Checked with built-ins over the whole file, as a province's file has many rows."""
    filled = map(str.strip, map("".join, rows[1:]))
    numbers = compress(range(2, len(rows) + 1), filled)
    if not formula_rows:
        return tuple(numbers)
    return tuple(sorted(formula_rows.intersection(range(2, len(rows) + 1)).union(numbers)))


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and a msgid naming its encoding (UTF-8, with BOM, or Windows-1258)."""
    if data.startswith(_BOM):
        return unicodedata.normalize("NFC", data[len(_BOM) :].decode("utf-8")), UTF8_BOM
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), UTF8
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", data.decode("cp1258")), CP1258


def _delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (Excel with a comma decimal
    separator writes ``;``), otherwise ``,``."""
    header = text.split("\n", 1)[0]
    return max(_DELIMITERS, key=header.count)


def _read_csv(path: Path) -> tuple[list[list[str]], str]:
    try:
        text, encoding = decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(UNREADABLE_TEXT, name=path.name, reason=str(error)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return list(reader), encoding
    except csv.Error as error:
        raise ImportFileError(UNREADABLE_TEXT, name=path.name, reason=str(error)) from None


def _read_xlsx(path: Path) -> tuple[list[list[str]], tuple[tuple[int, int], ...]]:
    """Values and formulas of the first sheet, read in two passes: openpyxl gives either the
    cached values or the formulas of a workbook, and a formula without a cached value reads as
    an empty cell in the first."""
    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, InvalidFileException):
        raise ImportFileError(UNREADABLE_XLSX, name=path.name) from None
    try:
        value_sheet, formula_sheet = values.worksheets[0], formulas.worksheets[0]
        value_sheet.reset_dimensions()
        formula_sheet.reset_dimensions()
        rows: list[list[str]] = []
        formula_cells: list[tuple[int, int]] = []
        pairs = zip_longest(
            value_sheet.iter_rows(values_only=True),
            formula_sheet.iter_rows(values_only=True),
            fillvalue=(),
        )
        for number, (row, formula_row) in enumerate(pairs, start=1):
            cells = []
            for index, (value, formula) in enumerate(zip_longest(row, formula_row)):
                if _is_formula(value) or (value is None and _is_formula(formula)):
                    formula_cells.append((number, index))
                    value = None
                cells.append(_text(value))
            rows.append(cells)
    finally:
        values.close()
        formulas.close()
    return rows, tuple(formula_cells)


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _text(value: object) -> str:
    """A cell value as the text a person would have typed: ``5`` not ``5.0``, ``1`` for TRUE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()
