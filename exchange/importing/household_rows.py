"""Reading and checking a household file, without touching the database.

Every row is checked and every problem is kept with its row number and column, so the file can be
corrected in one pass. The only check left for later is the one that needs the database: whether
a commune given without its province can be found (see :mod:`exchange.importing.importer`).
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, overload

from exchange.importing import values
from exchange.importing.cells import ColumnChecker
from exchange.importing.columns import BASE_COLUMNS, layout
from exchange.importing.tables import read_table
from poverty.errors import UnknownStandardError
from poverty.i18n import N_
from poverty.import_issues import Issue
from poverty.plausibility import INCOME, unusual
from poverty.standards import INDICATOR_BITS, standard_for_year
from storage.households import POOR_OR_NEAR_POOR, HouseholdColumns, HouseholdRow

REQUIRED_COLUMNS = tuple(column.name for column in BASE_COLUMNS if column.required)
KNOWN_COLUMNS = frozenset(column.name for column in BASE_COLUMNS)
CODE_LENGTH = 40
NAME_LENGTH = 120
UNIT_NAME_LENGTH = 60
"""Unit names are joined into the unit code (255 characters for four levels)."""
MEMBERS = (1, 50)
INCOME_COLUMN = "thu_nhap_binh_quan"
YEARS = (2016, 2100)

DUPLICATE_CODE = N_("Mã hộ “{code}” trùng với dòng {first}.")
GROUP_NOT_POOR = N_("Chỉ điền nhóm cho hộ nghèo hoặc cận nghèo.")
NO_STANDARD_FOR_DEFAULT_YEAR = N_(
    "Chưa có chuẩn nghèo áp dụng cho năm {year}; hãy điền cột nam hoặc chọn --year khác."
)


@dataclass(frozen=True)
class HouseholdFile:
    """A checked file: the valid rows (as columns, ready for
    :meth:`storage.households.HouseholdSaver.save`) with their row numbers in the file, errors
    of the invalid rows, warnings, the detected encoding, and the indicator columns it has."""

    households: HouseholdColumns
    numbers: tuple[int, ...]
    errors: tuple[Issue, ...]
    invalid_rows: int
    warnings: tuple[Issue, ...]
    encoding: str
    indicators: tuple[str, ...] = ()

    @property
    def rows(self) -> Sequence[HouseholdRow]:
        """The valid rows one by one, made when asked for."""
        return HouseholdRows(self.households, self.indicators)


class HouseholdRows(Sequence[HouseholdRow]):
    """Rows of :class:`HouseholdColumns`; ``deprivations`` names the file's indicator columns."""

    def __init__(self, columns: HouseholdColumns, indicators: tuple[str, ...]) -> None:
        self.columns = columns
        self.indicators = indicators

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, index: int) -> HouseholdRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[HouseholdRow]: ...
    def __getitem__(self, index: int | slice) -> HouseholdRow | Sequence[HouseholdRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._row(range(len(self))[index])

    def __iter__(self) -> Iterator[HouseholdRow]:
        return map(self._row, range(len(self)))

    def _row(self, index: int) -> HouseholdRow:
        c = self.columns
        deprived, known = c.deprived_masks[index], c.known_masks[index]
        answers: dict[str, bool | None] = {}
        for code in self.indicators:
            bit = 1 << INDICATOR_BITS[code]
            answers[code] = bool(deprived & bit) if known & bit else None
        province, district, commune, village = c.unit_paths[index]
        return HouseholdRow(
            code=c.codes[index],
            head_name=c.head_names[index],
            commune=commune,
            members=c.members[index],
            province=province,
            district=district,
            village=village,
            area=c.areas[index],
            ethnic_minority=c.ethnic_minorities[index],
            status=c.statuses[index],
            poor_group=c.poor_groups[index],
            year=c.years[index],
            income_per_person=c.incomes[index],
            deprivations=answers,
            mentor_phone=c.mentor_phones[index],
        )


def read_households(path: Path, *, default_year: int) -> HouseholdFile:
    """Read and check ``path``. Rows without ``nam`` are for ``default_year``.

    Raises :class:`~poverty.import_issues.ImportFileError` when the file cannot be read or a
    required column (``ma_ho``, ``chu_ho``, ``xa``, ``so_nhan_khau``) is missing.
    """
    table = read_table(path)
    columns = layout(table.headers, required=REQUIRED_COLUMNS, known=KNOWN_COLUMNS)
    check = ColumnChecker(table, columns)
    codes = check.read("ma_ho", code_cell)
    report_duplicates(check, codes)
    names = check.read("chu_ho", name_cell)
    provinces = check.read("tinh", unit_name_cell)
    districts = check.read("huyen", unit_name_cell)
    communes = check.read("xa", commune_cell)
    villages = check.read("thon", unit_name_cell)
    areas = check.read("khu_vuc", area_cell)
    members = check.read("so_nhan_khau", members_cell)
    minorities = check.read("dan_toc_thieu_so", values.yes_no)
    statuses = check.read("phan_loai", status_cell)
    groups = check.read("nhom", group_cell)
    for index, group in enumerate(groups):
        if group is not None and statuses[index] not in POOR_OR_NEAR_POOR:
            check.fail(index, "nhom", GROUP_NOT_POOR)
    years = check.read("nam", year_cell)
    _check_standards(check, years, default_year)
    incomes = check.read(INCOME_COLUMN, values.income)
    mentors = check.read("nguoi_do_dau_sdt", values.phone)
    indicator_codes = tuple(columns.indicators)
    deprivations: list[list[bool | None]] = [
        check.read(f"thieu_{code}", values.deprivation, table.column(position))
        for code, position in columns.indicators.items()
    ]
    errors = check.result()
    invalid = check.invalid
    kept = [index for index in range(check.size) if index not in invalid] if invalid else None
    deprived, known = _masks(indicator_codes, deprivations, check.size)

    def valid(column: list[Any]) -> list[Any]:
        return column if kept is None else [column[index] for index in kept]

    # Columns of valid rows hold no None where a value is required, hence the casts.
    households = HouseholdColumns(
        codes=cast(list[str], valid(codes)),
        head_names=cast(list[str], valid(names)),
        unit_paths=valid(list(zip(provinces, districts, communes, villages, strict=True))),
        members=cast(list[int], valid(members)),
        areas=valid([area or "nong_thon" for area in areas]),
        ethnic_minorities=valid([bool(minority) for minority in minorities]),
        statuses=valid([status or "khong" for status in statuses]),
        poor_groups=valid(groups),
        years=valid(years),
        incomes=valid(incomes),
        deprived_masks=valid(deprived),
        known_masks=valid(known),
        mentor_phones=valid(mentors),
    )
    return HouseholdFile(
        households,
        tuple(valid(list(table.numbers))),
        errors,
        len(invalid),
        (*columns.warnings, *unusual_incomes(incomes, table.numbers, invalid)),
        table.encoding,
        indicator_codes,
    )


def unusual_incomes(
    incomes: Sequence[int | None], numbers: Sequence[int], invalid: Collection[int]
) -> list[Issue]:
    """A warning for each valid row whose income is possible but unusual
    (:func:`poverty.plausibility.unusual`, the rule the guided check confirms): the row is
    kept, the cadre checks the figure."""
    return [
        Issue(problem.message, problem.params, row=numbers[index], column=INCOME_COLUMN)
        for index, income in enumerate(incomes)
        if income is not None and index not in invalid
        for problem in unusual({INCOME: income})
    ]


def _masks(
    codes: Sequence[str], answers: Sequence[Sequence[bool | None]], size: int
) -> tuple[list[int], list[int]]:
    """Deprived and known bitmasks of every row, summed column by column."""
    deprived, known = [0] * size, [0] * size
    for code, column in zip(codes, answers, strict=True):
        bit = 1 << INDICATOR_BITS[code]
        deprived_bits: dict[bool | None, int] = {True: bit, False: 0, None: 0}
        known_bits: dict[bool | None, int] = {True: bit, False: bit, None: 0}
        deprived = list(map(operator.add, deprived, map(deprived_bits.__getitem__, column)))
        known = list(map(operator.add, known, map(known_bits.__getitem__, column)))
    return deprived, known


def report_duplicates(check: ColumnChecker, codes: list[str | None]) -> None:
    """A code given twice is an error on the later row, naming the first one."""
    present = [code for code in codes if code is not None]
    if len(set(present)) == len(present):
        return
    first: dict[str, int] = {}
    for index, code in enumerate(codes):
        if code is None:
            continue
        seen = first.setdefault(code, index)
        if seen != index:
            number = check.table.numbers[seen]
            check.fail(index, "ma_ho", DUPLICATE_CODE, {"code": code, "first": number})


def _check_standards(check: ColumnChecker, years: list[int | None], default_year: int) -> None:
    """A row's year must have a standard, since its official record names one. A blank ``nam``
    means ``default_year``; a ``nam`` that could not be read already has its own issue."""
    missing: dict[int | None, Issue] = {}
    for year in set(years):
        try:
            standard_for_year(default_year if year is None else year)
        except UnknownStandardError as error:
            missing[year] = (
                Issue(NO_STANDARD_FOR_DEFAULT_YEAR, {"year": default_year})
                if year is None
                else Issue(error.message, error.params)
            )
    if not missing:
        return
    texts = check.raw("nam")
    for index, year in enumerate(years):
        issue = missing.get(year)
        if issue is not None and (year is not None or not texts[index].strip()):
            check.fail(index, "nam", issue.message, dict(issue.params))


def code_cell(raw: str) -> str | None:
    return values.text(raw, max_length=CODE_LENGTH, required=True)


def name_cell(raw: str) -> str | None:
    return values.text(raw, max_length=NAME_LENGTH, required=True)


def commune_cell(raw: str) -> str | None:
    return values.text(raw, max_length=UNIT_NAME_LENGTH, required=True)


def unit_name_cell(raw: str) -> str | None:
    return values.text(raw, max_length=UNIT_NAME_LENGTH)


def area_cell(raw: str) -> str | None:
    return values.choice(raw, values.AREA_WORDS)


def members_cell(raw: str) -> int | None:
    return values.integer(raw, low=MEMBERS[0], high=MEMBERS[1], required=True)


def status_cell(raw: str) -> str | None:
    return values.choice(raw, values.STATUS_WORDS)


def group_cell(raw: str) -> str | None:
    return values.choice(raw, values.GROUP_WORDS)


def year_cell(raw: str) -> int | None:
    return values.integer(raw, low=YEARS[0], high=YEARS[1])
