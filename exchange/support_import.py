"""Support plans and support records from a spreadsheet (CSV or XLSX), all or nothing.

Files are read with the household import's reader (:mod:`exchange.importing`), so the same
encodings, delimiters, header spellings and row/column/reason messages apply. Every row is
checked first (cells, then the database: the household exists, group and causes only for poor
or near-poor households); a file with any invalid row writes nothing. Every written row leaves
an audit row (:func:`storage.support_plans.save_plan`,
:func:`storage.support_ledger.record_support`).

Support file columns: ``ma_ho`` *, ``chinh_sach`` * (code, words naming one policy, or
``khác: <tên>``), ``ngay`` * (``15/03/2026``, ``15/3`` or an Excel date), ``so_tien``,
``so_luong``, ``don_vi``.

Plans file columns: ``ma_ho`` *, ``nhom`` (a, b, c), ``nguyen_nhan`` (cause codes or names,
separated by ``,`` or ``;``), ``ghi_chu``, ``nam_thoat_ngheo``, ``dan_toc``, ``nguoi_co_cong``
(category codes or names, separated), ``loai_do_dau``, ``to_chuc_do_dau``. A blank cell leaves
that field as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.importing import values
from exchange.importing.cells import ColumnChecker
from exchange.importing.columns import layout
from exchange.importing.tables import read_table
from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.import_issues import CellError, ImportRejectedError, Issue
from poverty.support_input import DAY_NOT_IN_CALENDAR, parse_day, pick_policy
from poverty.support_plans import load_support_lists
from poverty.text import slug
from storage.audit import Actor
from storage.mentors import current_mentors
from storage.models import Household
from storage.support_ledger import NewSupport, record_support
from storage.support_plans import (
    NO_MENTOR,
    FoundHousehold,
    check_mentor_kind,
    check_plan,
    save_plan,
)
from storage.support_plans import set_mentor_kind as save_mentor_kind

T = TypeVar("T")
IMPORT_CHANNEL = "import"
SUPPORT_COLUMNS = ("ma_ho", "chinh_sach", "ngay", "so_tien", "so_luong", "don_vi")
PLAN_COLUMNS = (
    "ma_ho",
    "nhom",
    "nguyen_nhan",
    "ghi_chu",
    "nam_thoat_ngheo",
    "dan_toc",
    "nguoi_co_cong",
    "loai_do_dau",
    "to_chuc_do_dau",
)
UNKNOWN_HOUSEHOLD = N_("Không có hộ mã “{code}”.")
UNKNOWN_ITEM = N_("“{value}” không có trong danh mục; chỉ nhận: {accepted}.")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")


@dataclass(frozen=True)
class ImportResult:
    written: int
    unchanged: int
    warnings: tuple[Issue, ...]
    encoding: str


def _cell(reader: Callable[[str], T]) -> Callable[[str], T]:
    """A reader whose domain errors become cell errors."""

    def read(raw: str) -> T:
        try:
            return reader(raw)
        except InvalidInputError as error:
            raise CellError(error.message, error.params) from None

    return read


def _day(today: date) -> Callable[[str], date | None]:
    def read(raw: str) -> date | None:
        if not raw:
            raise CellError(values.MISSING)
        iso = _ISO.match(raw)
        if iso is not None:
            try:
                found = date(int(iso[1]), int(iso[2]), int(iso[3]))
            except ValueError:
                raise CellError(DAY_NOT_IN_CALENDAR, {"text": raw}) from None
            return parse_day(found.strftime("%d/%m/%Y"), today)
        return parse_day(raw, today)

    return _cell(read)


def _policy(raw: str) -> dict[str, str | None] | None:
    if not raw:
        raise CellError(values.MISSING)
    picked = pick_policy(raw)
    return {"code": picked.code, "description": picked.description}


def _codes(words: dict[str, str]) -> Callable[[str], list[str] | None]:
    """Several codes of a list, by code or name, separated by ``,`` or ``;``."""

    def read(raw: str) -> list[str] | None:
        if not raw:
            return None
        found = []
        for part in filter(None, _LIST_SPLIT.split(raw.strip())):
            code = words.get(slug(part))
            if code is None:
                accepted = ", ".join(sorted(set(words.values())))
                raise CellError(UNKNOWN_ITEM, {"value": part[:40], "accepted": accepted})
            found.append(code)
        return found

    return read


def _lookup(entries: Sequence[Any]) -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in entries:
        table[slug(entry.code)] = entry.code
        table[slug(entry.name)] = entry.code
    return table


def _file_checker(path: Path, columns: Sequence[str], required: Sequence[str]) -> ColumnChecker:
    table = read_table(path)
    found = layout(table.headers, required=required, known=frozenset(columns))
    return ColumnChecker(table, found)


async def _households(session: AsyncSession, codes: set[str]) -> dict[str, FoundHousehold]:
    rows = await session.execute(
        select(Household.id, Household.code, Household.head_name, Household.official_status).where(
            Household.code.in_(codes)
        )
    )
    return {row[1]: FoundHousehold(*row) for row in rows}


def _reject(check: ColumnChecker, issues: list[Issue]) -> None:
    problems = sorted([*check.result(), *issues], key=lambda i: i.row or 0)
    if problems:
        rows = {issue.row for issue in problems}
        raise ImportRejectedError(problems, len(rows))


async def import_support(
    session: AsyncSession, path: Path, actor: Actor, now: datetime, today: date
) -> ImportResult:
    """Check every row of a support file, then write them all (or raise, writing nothing)."""
    check = _file_checker(path, SUPPORT_COLUMNS, ("ma_ho", "chinh_sach", "ngay"))
    codes = check.read("ma_ho", lambda raw: values.text(raw, max_length=40, required=True))
    policies = check.read("chinh_sach", _cell(_policy))
    days = check.read("ngay", _day(today))
    amounts = check.read("so_tien", values.money)
    quantities = check.read("so_luong", lambda raw: values.text(raw, max_length=120))
    providers = check.read("don_vi", lambda raw: values.text(raw, max_length=120))
    found = await _households(session, {c for c in codes if c})
    issues = [
        Issue(UNKNOWN_HOUSEHOLD, {"code": code}, check.table.numbers[i], "ma_ho")
        for i, code in enumerate(codes)
        if code and code not in found
    ]
    _reject(check, issues)
    for i, code in enumerate(codes):
        policy, day = policies[i], days[i]
        assert code is not None
        assert policy is not None
        assert day is not None
        support = NewSupport(
            household_id=found[code].id,
            given_on=day,
            policy_code=policy["code"],
            description=policy["description"],
            amount=amounts[i],
            quantity=quantities[i],
            provider=providers[i],
        )
        await record_support(session, support, actor, IMPORT_CHANNEL, now)
    return ImportResult(len(codes), 0, check.layout.warnings, check.table.encoding)


async def import_plans(
    session: AsyncSession, path: Path, actor: Actor, now: datetime
) -> ImportResult:
    """Check every row of a plans file, then apply them all (or raise, writing nothing)."""
    lists = load_support_lists()
    check = _file_checker(path, PLAN_COLUMNS, ("ma_ho",))
    codes = check.read("ma_ho", lambda raw: values.text(raw, max_length=40, required=True))
    groups = check.read("nhom", lambda raw: values.choice(raw.lower(), _lookup(lists.groups)))
    causes = check.read("nguyen_nhan", _codes(_lookup(lists.causes)))
    notes = check.read("ghi_chu", lambda raw: values.text(raw, max_length=300))
    targets = check.read("nam_thoat_ngheo", lambda raw: values.integer(raw, low=2000, high=2100))
    ethnic = check.read("dan_toc", lambda raw: values.text(raw, max_length=60))
    merits = check.read("nguoi_co_cong", _codes(_lookup(lists.merit_categories)))
    kinds = check.read("loai_do_dau", lambda raw: values.choice(raw, _lookup(lists.mentor_kinds)))
    organisations = check.read("to_chuc_do_dau", lambda raw: values.text(raw, max_length=60))
    found = await _households(session, {c for c in codes if c})
    mentored = set(await current_mentors(session, [h.id for h in found.values()]))
    issues: list[Issue] = []
    changes: list[dict[str, Any]] = []
    mentor_kinds: list[tuple[str, str | None] | None] = []
    for i, code in enumerate(codes):
        number = check.table.numbers[i]
        household = found.get(code or "")
        if code and household is None:
            issues.append(Issue(UNKNOWN_HOUSEHOLD, {"code": code}, number, "ma_ho"))
        given = {
            "group_code": groups[i],
            "causes": causes[i],
            "cause_note": notes[i],
            "target_year": targets[i],
            "ethnic_group": ethnic[i],
            "merit_categories": merits[i],
        }
        change = {key: value for key, value in given.items() if value is not None}
        kind: tuple[str, str | None] | None = None
        try:
            if household is not None:
                change = check_plan(change, household.official_status, lists, code=household.code)
            picked = kinds[i]
            if picked:
                kind = check_mentor_kind(picked, organisations[i], lists)
                if household is not None and household.id not in mentored:
                    raise InvalidInputError(NO_MENTOR, code=household.code)
        except InvalidInputError as error:
            issues.append(Issue(error.message, dict(error.params), number))
        changes.append(change)
        mentor_kinds.append(kind)
    _reject(check, issues)
    written = unchanged = 0
    for i, code in enumerate(codes):
        household = found[code or ""]
        changed = bool(await save_plan(session, household.id, changes[i], actor, now))
        kind = mentor_kinds[i]
        if kind is not None:
            changed |= await save_mentor_kind(session, household, kind[0], kind[1], actor, now)
        written += changed
        unchanged += not changed
    return ImportResult(written, unchanged, check.layout.warnings, check.table.encoding)
