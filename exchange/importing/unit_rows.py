"""Reading an official list of units (CSV or XLSX): code, name, type and the parent's code,
one unit a row, checked row by row before the database is opened.

Headers are matched by :func:`poverty.text.slug`: ``ma``, ``ten``, ``loai``, ``ma_cap_tren``, or
their English names ``code``, ``name``, ``type``, ``parent_code``.
"""

from __future__ import annotations

import re
from pathlib import Path

from exchange.importing.columns import layout
from exchange.importing.tables import read_table
from poverty.i18n import N_
from poverty.import_issues import ImportFileError, Issue, quoted
from poverty.text import fold, slug
from poverty.unit_names import KINDS, UnitKind
from storage.unit_list import UnitListFile, UnitRow

UNIT_COLUMNS = ("ma", "ten", "loai", "ma_cap_tren")
ALIASES = {"code": "ma", "name": "ten", "type": "loai", "parent_code": "ma_cap_tren"}
CODE = re.compile(r"^[0-9A-Za-z_.-]{1,16}$")

MISSING_UNIT_COLUMNS = N_(
    "Thiếu cột bắt buộc: {columns}. Tệp cần các cột ma, ten, loai, ma_cap_tren."
)
EMPTY_CELL = N_("Chưa điền.")
BAD_CODE = N_("Mã “{value}” không hợp lệ: tối đa 16 chữ số hoặc chữ cái, không dấu cách.")
UNKNOWN_TYPE = N_(
    "Loại đơn vị “{value}” không rõ; ví dụ: Tỉnh, Thành phố, Xã, Phường, Đặc khu, Thôn."
)
DUPLICATE_CODE = N_("Mã {code} đã có ở dòng {first}.")
OWN_PARENT = N_("Đơn vị không thể là cấp trên của chính nó.")


def kind_of_type(text: str) -> UnitKind | None:
    """``Xã``, ``xa``, ``Thị trấn``, ``thi_tran`` → the kind; None when unknown."""
    folded = fold(text).replace("_", " ")
    for kind in KINDS:
        if folded == fold(kind.label) or folded in kind.words or folded == kind.code:
            return kind
    return None


def read_unit_list(path: Path) -> UnitListFile:
    """The rows of an official unit list and every problem found in them.

    Raises :class:`ImportFileError` for an unreadable file or a missing column."""
    table = read_table(path)
    headers = tuple(ALIASES.get(slug(h), slug(h)) for h in table.headers)
    found = layout(headers, required=(), known=UNIT_COLUMNS)
    missing = [name for name in UNIT_COLUMNS if name not in found.index]
    if missing:
        raise ImportFileError(MISSING_UNIT_COLUMNS, columns=", ".join(missing))
    cells = {name: table.column(found.index[name]) for name in UNIT_COLUMNS}
    rows: list[UnitRow] = []
    errors: list[Issue] = []
    first_row: dict[str, int] = {}
    for i, number in enumerate(table.numbers):
        code, name, kind_text, parent = (cells[c][i].strip() for c in UNIT_COLUMNS)
        problems: list[Issue] = []
        for column, value in (("ma", code), ("ten", name), ("loai", kind_text)):
            if not value:
                problems.append(Issue(EMPTY_CELL, {}, number, column))
        if code and not CODE.match(code):
            problems.append(Issue(BAD_CODE, {"value": quoted(code)}, number, "ma"))
        if parent and not CODE.match(parent):
            problems.append(Issue(BAD_CODE, {"value": quoted(parent)}, number, "ma_cap_tren"))
        kind = kind_of_type(kind_text) if kind_text else None
        if kind_text and kind is None:
            problems.append(Issue(UNKNOWN_TYPE, {"value": quoted(kind_text)}, number, "loai"))
        if code and code in first_row:
            problems.append(
                Issue(DUPLICATE_CODE, {"code": code, "first": first_row[code]}, number, "ma")
            )
        elif code:
            first_row[code] = number
        if code and parent == code:
            problems.append(Issue(OWN_PARENT, {}, number, "ma_cap_tren"))
        if problems or kind is None:
            errors.extend(problems)
            continue
        rows.append(UnitRow(number, code, " ".join(name.split()), kind, parent or None))
    return UnitListFile(tuple(rows), tuple(errors), found.warnings)
