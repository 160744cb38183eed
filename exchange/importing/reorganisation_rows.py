"""Reading a reorganisation file (CSV or XLSX): ``don_vi_cu`` (path or code of the former unit),
``don_vi_moi`` (path or code of the unit that takes it over), ``ngay_hieu_luc`` (dd/mm/yyyy).
Cells are checked here; what the names mean is checked against the database by
:mod:`storage.reorganisation`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from exchange.importing.columns import layout
from exchange.importing.tables import read_table
from poverty.i18n import N_
from poverty.import_issues import ImportFileError, Issue, quoted
from poverty.text import slug
from storage.reorganisation import ReorganisationRow

COLUMNS = ("don_vi_cu", "don_vi_moi", "ngay_hieu_luc")
MISSING_COLUMNS = N_(
    "Thiếu cột bắt buộc: {columns}. Tệp cần các cột don_vi_cu, don_vi_moi, ngay_hieu_luc."
)
EMPTY_CELL = N_("Chưa điền.")
BAD_DATE = N_("Ngày “{value}” không đúng; hãy ghi theo dạng ngày/tháng/năm, ví dụ 01/07/2025.")
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class ReorganisationFile:
    rows: tuple[ReorganisationRow, ...]
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]


def parse_effective_date(text: str) -> date | None:
    """``01/07/2025`` (or the ISO date an Excel date cell reads as); None when not a date."""
    day = _DAY.match(text)
    iso = _ISO.match(text)
    try:
        if day is not None:
            return date(int(day[3]), int(day[2]), int(day[1]))
        if iso is not None:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        return None
    return None


def read_reorganisation(path: Path) -> ReorganisationFile:
    table = read_table(path)
    found = layout(tuple(slug(h) for h in table.headers), required=(), known=COLUMNS)
    missing = [name for name in COLUMNS if name not in found.index]
    if missing:
        raise ImportFileError(MISSING_COLUMNS, columns=", ".join(missing))
    cells = {name: table.column(found.index[name]) for name in COLUMNS}
    rows: list[ReorganisationRow] = []
    errors: list[Issue] = []
    for i, number in enumerate(table.numbers):
        old, new, day_text = (" ".join(cells[c][i].split()) for c in COLUMNS)
        problems = [
            Issue(EMPTY_CELL, {}, number, column)
            for column, value in zip(COLUMNS, (old, new, day_text), strict=True)
            if not value
        ]
        effective = parse_effective_date(day_text) if day_text else None
        if day_text and effective is None:
            problems.append(Issue(BAD_DATE, {"value": quoted(day_text)}, number, "ngay_hieu_luc"))
        if problems or effective is None:
            errors.extend(problems)
            continue
        rows.append(ReorganisationRow(number, old, new, effective))
    return ReorganisationFile(tuple(rows), tuple(errors), found.warnings)
