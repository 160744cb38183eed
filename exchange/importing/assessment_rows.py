"""Reading the columns of a household file that a classification needs (``giamngheo assess``).

The same file a commune imports can be classified as it is: only ``ma_ho`` is required, the other
import columns are accepted and not read, and ``khu_vuc``, ``thu_nhap_binh_quan`` and ``thieu_*``
are checked exactly as the importer checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from exchange.importing import values
from exchange.importing.cells import ColumnChecker
from exchange.importing.columns import INDICATOR_PREFIX, layout
from exchange.importing.household_rows import (
    INCOME_COLUMN,
    KNOWN_COLUMNS,
    area_cell,
    code_cell,
    report_duplicates,
    unusual_incomes,
)
from exchange.importing.tables import read_table
from poverty.i18n import N_
from poverty.import_issues import Issue
from poverty.standards import Area, Standard

OTHER_STANDARD_COLUMN = N_("Cột “{column}” không thuộc chuẩn {standard_id} nên được bỏ qua.")


@dataclass(frozen=True)
class AssessmentInput:
    """What :func:`poverty.classification.classify` needs about one household of the file."""

    number: int
    code: str
    area: Area
    income_per_person: int | None
    deprivations: Mapping[str, bool | None]


@dataclass(frozen=True)
class AssessmentFile:
    """Valid rows, errors of the invalid ones, warnings and the detected encoding."""

    rows: tuple[AssessmentInput, ...]
    errors: tuple[Issue, ...]
    invalid_rows: int
    warnings: tuple[Issue, ...]
    encoding: str


def read_assessment_inputs(path: Path, standard: Standard) -> AssessmentFile:
    """Read ``path`` for classification under ``standard``.

    ``thieu_*`` columns of indicators that ``standard`` does not have are ignored with a warning.
    Raises :class:`~poverty.import_issues.ImportFileError` when the file cannot be read or has
    no ``ma_ho`` column.
    """
    table = read_table(path)
    columns = layout(table.headers, required=("ma_ho",), known=KNOWN_COLUMNS)
    codes_of_standard = set(standard.codes)
    warnings = list(columns.warnings)
    warnings += [
        Issue(
            OTHER_STANDARD_COLUMN,
            {"column": f"{INDICATOR_PREFIX}{code}", "standard_id": standard.id},
        )
        for code in columns.indicators
        if code not in codes_of_standard
    ]
    indicators = {c: i for c, i in columns.indicators.items() if c in codes_of_standard}
    check = ColumnChecker(table, columns)
    codes = check.read("ma_ho", code_cell)
    report_duplicates(check, codes)
    areas = check.read("khu_vuc", area_cell)
    incomes = check.read(INCOME_COLUMN, values.income)
    deprivations: dict[str, list[bool | None]] = {
        code: check.read(f"{INDICATOR_PREFIX}{code}", values.deprivation, table.column(i))
        for code, i in indicators.items()
    }
    errors = check.result()
    warnings += unusual_incomes(incomes, table.numbers, check.invalid)
    rows = [
        AssessmentInput(
            number,
            cast(str, codes[index]),
            cast(Area, areas[index] or "nong_thon"),
            incomes[index],
            {code: column[index] for code, column in deprivations.items()},
        )
        for index, number in enumerate(table.numbers)
        if index not in check.invalid
    ]
    return AssessmentFile(tuple(rows), errors, len(check.invalid), tuple(warnings), table.encoding)
