"""The one write path for households: the file importer and the demo-data generator both call
:func:`save_households`.

A household is identified by its ``code``: saving a code that exists updates it, so importing the
same file twice never duplicates anything, and a row that changes nothing is not rewritten and
leaves no audit row. A row with an official status also writes that year's
:class:`~storage.models.OfficialRecord`, the record the appendix reports count from. The importer
reads a blank ``phan_loai`` as ``khong`` (not on the poor or near-poor list), so every imported
household is counted in its year; a ``status`` of None (possible for other callers) means "no
official review recorded" and writes no record.

Writes are Core bulk statements, executed many rows at a time, because a province imports a few
hundred thousand households at once; the ORM unit of work is used only for the few new units.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.classification import PovertyClass
from poverty.i18n import N_
from poverty.standards import INDICATOR_BITS, Area, standard_for_year, to_mask
from poverty.text import fold
from storage.audit import Actor
from storage.bulk import insert_many
from storage.models import Base
from storage.units import Placement, UnitTree

CHUNK = 2000
"""Rows per statement: well under SQLite's and asyncpg's limits on bound parameters."""
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""Assignment dates are calendar days in Vietnam."""
MENTOR_NAME = N_("Người đỡ đầu")
"""Name given to a mentor first known only by the phone number in an import file."""
POOR_OR_NEAR_POOR: frozenset[str] = frozenset({"ngheo", "can_ngheo"})

_HOUSEHOLDS: Table = Base.metadata.tables["households"]
_RECORDS: Table = Base.metadata.tables["official_records"]
_USERS: Table = Base.metadata.tables["users"]
_ASSIGNMENTS: Table = Base.metadata.tables["mentor_assignments"]
_AUDIT: Table = Base.metadata.tables["audit_log"]

_UNIT_COLUMNS = ("unit_id", "province_id", "district_id", "commune_id", "village_id")
_HOUSEHOLD_FIELDS = (
    "head_name",
    *_UNIT_COLUMNS,
    "area",
    "members",
    "ethnic_minority",
    "official_status",
    "official_group",
    "official_year",
)
_RECORD_FIELDS = (
    *_UNIT_COLUMNS[1:],
    "ethnic_minority",
    "area",
    "status",
    "poor_group",
    "income_per_person",
    "deprived_mask",
    "known_mask",
    "standard_id",
)
_AUDIT_NAMES: Mapping[str, str] = {
    **{column: "unit" for column in _UNIT_COLUMNS},
    "status": "official_status",
    "poor_group": "official_group",
    "deprived_mask": "deprivations",
    "known_mask": "deprivations",
    "standard_id": "standard",
}
"""Column → the field name written in audit details (several columns are one field to a person)."""

T = TypeVar("T")


@dataclass(frozen=True)
class HouseholdRow:
    """One household as a caller wants it stored.

    ``status`` None writes no official record (the importer never passes None: a blank
    ``phan_loai`` is ``khong``). ``year`` None means the ``default_year`` of the call.
    ``deprivations`` maps indicator codes to True (deprived), False (not) or None (unknown); a
    code left out is unknown. ``mentor_phone`` is already normalised (``+84…``); None leaves the
    household's mentor as it is.
    """

    code: str
    head_name: str
    commune: str
    members: int
    province: str | None = None
    district: str | None = None
    village: str | None = None
    area: Area = "nong_thon"
    ethnic_minority: bool = False
    status: PovertyClass | None = None
    poor_group: str | None = None
    year: int | None = None
    income_per_person: int | None = None
    deprivations: Mapping[str, bool | None] = field(default_factory=dict)
    mentor_phone: str | None = None

    @property
    def unit_path(self) -> tuple[str | None, str | None, str, str | None]:
        return (self.province, self.district, self.commune, self.village)


@dataclass(frozen=True)
class SaveResult:
    """How many households were created, updated, or found already as given."""

    created: int
    updated: int
    unchanged: int

    def __add__(self, other: SaveResult) -> SaveResult:
        return SaveResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass
class _Planned:
    """What one row turns into before anything is written."""

    row: HouseholdRow
    values: dict[str, Any]
    record: dict[str, Any] | None
    household_id: int | None = None
    is_new: bool = True
    changed: list[str] = field(default_factory=list)
    record_id: int | None = None
    write_record: bool = False
    mentor_id: int | None = None
    close_assignments: list[int] = field(default_factory=list)


async def save_households(
    session: AsyncSession,
    rows: Sequence[HouseholdRow],
    actor: Actor,
    now: datetime,
    *,
    default_year: int,
) -> SaveResult:
    """Create or update ``rows`` by code inside the caller's transaction.

    Units named by the rows are created when missing (``storage.units.UnitTree``), which raises
    :class:`~poverty.errors.InvalidInputError` when a row without a province names a commune
    found in no province or in several. A code given twice is saved once, as its last row.
    Raises :class:`~poverty.errors.UnknownStandardError` for a year no standard covers.
    """
    latest = list({row.code: row for row in rows}.values())
    writer = _Writer(session, actor, now, default_year)
    result = SaveResult(0, 0, 0)
    for chunk in _chunks(latest, CHUNK):
        result += await writer.save(chunk)
    return result


class _Writer:
    """Per-call caches (units, standards, mentors, name keys) shared by the chunks of one call."""

    def __init__(self, session: AsyncSession, actor: Actor, now: datetime, default_year: int):
        self.session = session
        self.actor = actor
        self.now = now
        self.today: date = now.astimezone(VIETNAM).date()
        self.default_year = default_year
        self.units = UnitTree(session)
        self.placements: dict[tuple[str | None, str | None, str, str | None], Placement] = {}
        self.standards: dict[int, str] = {}
        self.name_keys: dict[str, str] = {}
        self.mentors: dict[str, int] = {}

    async def save(self, rows: Sequence[HouseholdRow]) -> SaveResult:
        for path in dict.fromkeys(row.unit_path for row in rows):
            if path not in self.placements:
                self.placements[path] = await self.units.place(*path)
        planned = [self._plan(row) for row in rows]
        await self._match_households(planned)
        await self._match_records(planned)
        await self._match_mentors(planned)
        await self._write(planned)
        created = sum(1 for p in planned if p.is_new)
        updated = sum(1 for p in planned if not p.is_new and p.changed)
        return SaveResult(created, updated, len(planned) - created - updated)

    def _plan(self, row: HouseholdRow) -> _Planned:
        placement = self.placements[row.unit_path]
        year = row.year if row.year is not None else self.default_year
        has_status = row.status is not None
        values: dict[str, Any] = {
            "code": row.code,
            "head_name": row.head_name,
            "head_name_key": self._name_key(row.head_name),
            "unit_id": placement.unit_id,
            "province_id": placement.province_id,
            "district_id": placement.district_id,
            "commune_id": placement.commune_id,
            "village_id": placement.village_id,
            "area": row.area,
            "members": row.members,
            "ethnic_minority": row.ethnic_minority,
            "official_status": row.status,
            "official_group": row.poor_group if has_status else None,
            "official_year": year if has_status else None,
        }
        record = None
        if row.status is not None:
            deprived_mask, known_mask = self._masks(row.deprivations)
            record = {
                "year": year,
                "province_id": placement.province_id,
                "district_id": placement.district_id,
                "commune_id": placement.commune_id,
                "village_id": placement.village_id,
                "ethnic_minority": row.ethnic_minority,
                "area": row.area,
                "status": row.status,
                "poor_group": row.poor_group,
                "income_per_person": row.income_per_person,
                "deprived_mask": deprived_mask,
                "known_mask": known_mask,
                "standard_id": self._standard_id(year),
            }
        return _Planned(row, values, record)

    def _masks(self, deprivations: Mapping[str, bool | None]) -> tuple[int, int]:
        """(deprived, known) bitmasks from poverty's bit registry."""
        deprived = known = 0
        for code, value in deprivations.items():
            if value is None:
                continue
            bit = INDICATOR_BITS.get(code)
            if bit is None:
                to_mask([code])
                continue
            known |= 1 << bit
            if value:
                deprived |= 1 << bit
        return deprived, known

    def _name_key(self, name: str) -> str:
        key = self.name_keys.get(name)
        if key is None:
            key = self.name_keys[name] = fold(name)
        return key

    def _standard_id(self, year: int) -> str:
        standard_id = self.standards.get(year)
        if standard_id is None:
            standard_id = self.standards[year] = standard_for_year(year).id
        return standard_id

    async def _match_households(self, planned: list[_Planned]) -> None:
        """Find existing households by code and list the fields each row changes."""
        columns = [
            _HOUSEHOLDS.c.id,
            _HOUSEHOLDS.c.code,
            *(_HOUSEHOLDS.c[f] for f in _HOUSEHOLD_FIELDS),
        ]
        found = await self.session.execute(
            select(*columns).where(_HOUSEHOLDS.c.code.in_([p.row.code for p in planned]))
        )
        existing = {row.code: row._mapping for row in found}
        for plan in planned:
            old = existing.get(plan.row.code)
            if old is None:
                plan.changed = _given_fields(plan.row)
                continue
            plan.household_id = old["id"]
            plan.is_new = False
            plan.changed = [
                _AUDIT_NAMES.get(name, name)
                for name in _HOUSEHOLD_FIELDS
                if old[name] != plan.values[name]
            ]

    async def _match_records(self, planned: list[_Planned]) -> None:
        """Find each row's official record for its year; note whether it needs writing."""
        ids = [p.household_id for p in planned if p.record is not None and p.household_id]
        existing: dict[tuple[int, int], RowMapping] = {}
        if ids:
            columns = [
                _RECORDS.c.id,
                _RECORDS.c.household_id,
                _RECORDS.c.year,
                *(_RECORDS.c[f] for f in _RECORD_FIELDS),
            ]
            found = await self.session.execute(
                select(*columns).where(_RECORDS.c.household_id.in_(ids))
            )
            existing = {(row.household_id, row.year): row._mapping for row in found}
        for plan in planned:
            if plan.record is None:
                continue
            if plan.household_id is None:
                plan.write_record = True
                continue
            old = existing.get((plan.household_id, plan.record["year"]))
            if old is None:
                plan.write_record = True
                _add(plan.changed, "official_record")
                continue
            differing = [name for name in _RECORD_FIELDS if old[name] != plan.record[name]]
            if differing:
                plan.record_id = old["id"]
                plan.write_record = True
                for name in differing:
                    _add(plan.changed, _AUDIT_NAMES.get(name, name))

    async def _match_mentors(self, planned: list[_Planned]) -> None:
        """Resolve mentor phones to users (creating them) and find hand-overs to record."""
        with_mentor = [p for p in planned if p.row.mentor_phone]
        if not with_mentor:
            return
        await self._mentor_ids({p.row.mentor_phone for p in with_mentor if p.row.mentor_phone})
        ids = [p.household_id for p in with_mentor if p.household_id is not None]
        open_by_household: dict[int, list[tuple[int, int]]] = {}
        if ids:
            found = await self.session.execute(
                select(
                    _ASSIGNMENTS.c.id, _ASSIGNMENTS.c.household_id, _ASSIGNMENTS.c.mentor_user_id
                ).where(_ASSIGNMENTS.c.household_id.in_(ids), _ASSIGNMENTS.c.valid_to.is_(None))
            )
            for assignment_id, household_id, mentor_id in found:
                open_by_household.setdefault(household_id, []).append((assignment_id, mentor_id))
        for plan in with_mentor:
            assert plan.row.mentor_phone is not None
            mentor_id = self.mentors[plan.row.mentor_phone]
            current = open_by_household.get(plan.household_id or 0, [])
            if any(mentor == mentor_id for _, mentor in current):
                continue
            plan.mentor_id = mentor_id
            plan.close_assignments = [assignment_id for assignment_id, _ in current]
            if plan.household_id is not None:
                _add(plan.changed, "mentor")

    async def _mentor_ids(self, phones: set[str]) -> None:
        missing = sorted(phones - self.mentors.keys())
        if not missing:
            return
        found = await self.session.execute(
            select(_USERS.c.phone, _USERS.c.id).where(_USERS.c.phone.in_(missing))
        )
        self.mentors.update({phone: user_id for phone, user_id in found})
        new = [phone for phone in missing if phone not in self.mentors]
        if new:
            await self.session.execute(
                insert(_USERS),
                [
                    {
                        "name": MENTOR_NAME,
                        "phone": phone,
                        "created_at": self.now,
                        "revoked_at": None,
                    }
                    for phone in new
                ],
            )
            created = await self.session.execute(
                select(_USERS.c.phone, _USERS.c.id).where(_USERS.c.phone.in_(new))
            )
            self.mentors.update({phone: user_id for phone, user_id in created})

    async def _ids_by_code(self, codes: list[str]) -> dict[str, int]:
        """Ids of just-inserted households: a second query rather than ``RETURNING``, which
        SQLite can only keep in order by sending the rows one at a time."""
        found = await self.session.execute(
            select(_HOUSEHOLDS.c.code, _HOUSEHOLDS.c.id).where(_HOUSEHOLDS.c.code.in_(codes))
        )
        return {code: household_id for code, household_id in found}

    async def _write(self, planned: list[_Planned]) -> None:
        new = [p for p in planned if p.is_new]
        if new:
            await insert_many(
                self.session,
                _HOUSEHOLDS,
                [p.values for p in new],
                {"created_at": self.now, "updated_at": self.now},
            )
            ids = await self._ids_by_code([p.row.code for p in new])
            for plan in new:
                plan.household_id = ids[plan.row.code]
            actions = {id(p): "household.create" for p in new}
        else:
            actions = {}
        changed = [p for p in planned if p.changed and id(p) not in actions]
        for plan in changed:
            actions[id(plan)] = "household.update"
        if changed:
            await self.session.execute(
                update(_HOUSEHOLDS)
                .where(_HOUSEHOLDS.c.id == bindparam("b_id"))
                .values({name: bindparam(name) for name in (*_HOUSEHOLD_FIELDS, "head_name_key")})
                .values(updated_at=bindparam("b_now")),
                [
                    {**_without_code(p.values), "b_id": p.household_id, "b_now": self.now}
                    for p in changed
                ],
            )
        await self._write_records([p for p in planned if p.write_record])
        await self._write_assignments([p for p in planned if p.mentor_id is not None])
        await self._write_audit([(actions[id(p)], p) for p in planned if id(p) in actions])

    async def _write_audit(self, entries: list[tuple[str, _Planned]]) -> None:
        """Audit rows as :func:`storage.audit.record_audit` writes them, through
        :func:`~storage.bulk.insert_many` since an import writes one per household."""
        details: dict[tuple[str, ...], dict[str, Any]] = {}
        rows = [
            {
                "action": action,
                "entity_id": str(plan.household_id),
                "details": details.setdefault(tuple(plan.changed), {"fields": plan.changed}),
            }
            for action, plan in entries
        ]
        constants = {
            "at": self.now,
            "actor_user_id": self.actor.user_id,
            "actor": self.actor.label,
            "entity": "household",
            "note": None,
        }
        await insert_many(self.session, _AUDIT, rows, constants)

    async def _write_records(self, planned: list[_Planned]) -> None:
        fresh = [p.record for p in planned if p.record is not None and p.record_id is None]
        for plan in planned:
            if plan.record is not None:
                plan.record["household_id"] = plan.household_id
        await insert_many(self.session, _RECORDS, fresh, {"updated_at": self.now})
        stale = [p for p in planned if p.record_id is not None]
        if stale:
            await self.session.execute(
                update(_RECORDS)
                .where(_RECORDS.c.id == bindparam("b_id"))
                .values({name: bindparam(name) for name in _RECORD_FIELDS})
                .values(updated_at=bindparam("b_now")),
                [
                    {
                        **{name: (p.record or {})[name] for name in _RECORD_FIELDS},
                        "b_id": p.record_id,
                        "b_now": self.now,
                    }
                    for p in stale
                ],
            )

    async def _write_assignments(self, planned: list[_Planned]) -> None:
        """Close the previous mentor's assignment today and open the new one (hand-over)."""
        closing = [assignment_id for p in planned for assignment_id in p.close_assignments]
        if closing:
            await self.session.execute(
                update(_ASSIGNMENTS)
                .where(_ASSIGNMENTS.c.id == bindparam("b_id"))
                .values(valid_to=bindparam("b_today")),
                [{"b_id": assignment_id, "b_today": self.today} for assignment_id in closing],
            )
        if planned:
            await self.session.execute(
                insert(_ASSIGNMENTS),
                [
                    {
                        "household_id": p.household_id,
                        "mentor_user_id": p.mentor_id,
                        "valid_from": self.today,
                        "valid_to": None,
                    }
                    for p in planned
                ],
            )


def _given_fields(row: HouseholdRow) -> list[str]:
    """Audit fields of a new household: the ones the row fills in."""
    given = ["head_name", "unit", "area", "members", "ethnic_minority"]
    if row.status is not None:
        given += ["official_status", "official_year"]
    if row.poor_group is not None:
        given.append("official_group")
    if row.income_per_person is not None:
        given.append("income_per_person")
    if any(value is not None for value in row.deprivations.values()):
        given.append("deprivations")
    if row.mentor_phone is not None:
        given.append("mentor")
    return given


def _without_code(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name != "code"}


def _add(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
