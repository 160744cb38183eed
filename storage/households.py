"""The one write path for households: the file importer and the demo-data generator both call
:func:`save_households` (the importer through :class:`HouseholdSaver`, to show progress).

A household is identified by its ``code``: saving a code that exists updates it, so importing the
same file twice never duplicates anything, and a row that changes nothing is not rewritten and
leaves no audit row. A row with an official status also writes that year's
:class:`~storage.models.OfficialRecord`, the record the appendix reports count from. The importer
reads a blank ``phan_loai`` as ``khong`` (not on the poor or near-poor list), so every imported
household is counted in its year; a ``status`` of None (possible for other callers) means "no
official review recorded" and writes no record.

Writes are Core bulk statements, executed many rows at a time, because a province imports a few
hundred thousand households at once; the ORM unit of work is used only for the few new units.
The importer hands over :class:`HouseholdColumns` (other callers give rows, turned into columns
once); rows are planned column by column into plain tuples, new households get their ids with
the insert (:func:`storage.inserts.insert_with_ids`), so official records, audit rows and the
follow-ups of new poor households are built and written without another query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.classification import PovertyClass
from poverty.i18n import N_
from poverty.standards import INDICATOR_BITS, Area, standard_for_year, to_mask
from poverty.text import fold
from storage.audit import Actor, AuditEntry, record_audit
from storage.db import chunks
from storage.followups import open_followups_of_new, sync_followups
from storage.inserts import insert_rows, insert_with_ids, larger_page_cache
from storage.models import Base
from storage.units import UnitTree

CHUNK = 5000
"""Rows matched against the database by one query and written together; well under SQLite's
and asyncpg's limits on bound parameters."""
"""Assignment dates are calendar days in Vietnam."""
MENTOR_NAME = N_("Người đỡ đầu")
"""Name given to a mentor first known only by the phone number in an import file."""
POOR_OR_NEAR_POOR: frozenset[str] = frozenset({"ngheo", "can_ngheo"})

_HOUSEHOLDS: Table = Base.metadata.tables["households"]
_RECORDS: Table = Base.metadata.tables["official_records"]
_USERS: Table = Base.metadata.tables["users"]
_ASSIGNMENTS: Table = Base.metadata.tables["mentor_assignments"]

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
_INSERT_FIELDS = ("code", "head_name_key", *_HOUSEHOLD_FIELDS)
"""Order of a planned household's values: the insert's columns, compared from ``head_name``."""
_FIELDS_START = _INSERT_FIELDS.index(_HOUSEHOLD_FIELDS[0])
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
_RECORD_INSERT = ("household_id", "year", *_RECORD_FIELDS)
_AUDIT_NAMES: Mapping[str, str] = {
    **{column: "unit" for column in _UNIT_COLUMNS},
    "status": "official_status",
    "poor_group": "official_group",
    "deprived_mask": "deprivations",
    "known_mask": "deprivations",
    "standard_id": "standard",
}
"""Column → the field name written in audit details (several columns are one field to a person)."""
_KNOWN_SHIFT = len(INDICATOR_BITS)
_ANSWER_BITS: Mapping[tuple[str, bool | None], int] = {
    (code, answer): ((1 << bit) << _KNOWN_SHIFT if answer is not None else 0)
    | (1 << bit if answer else 0)
    for code, bit in INDICATOR_BITS.items()
    for answer in (True, False, None)
}
"""(indicator code, answer) → its known bit (shifted above the deprived bits) and deprived bit,
so a household's two masks are one sum over its answers."""

_BY_CODE = select(
    _HOUSEHOLDS.c.code, _HOUSEHOLDS.c.id, *(_HOUSEHOLDS.c[name] for name in _HOUSEHOLD_FIELDS)
).where(_HOUSEHOLDS.c.code.in_(bindparam("codes", expanding=True)))
"""Existing households by code; one statement, so SQLAlchemy compiles it once."""
_RECORDS_OF = select(
    _RECORDS.c.household_id,
    _RECORDS.c.year,
    _RECORDS.c.id,
    *(_RECORDS.c[name] for name in _RECORD_FIELDS),
).where(_RECORDS.c.household_id.in_(bindparam("ids", expanding=True)))
"""Official records of existing households, every year."""
_OPEN_ASSIGNMENTS = select(
    _ASSIGNMENTS.c.id, _ASSIGNMENTS.c.household_id, _ASSIGNMENTS.c.mentor_user_id
).where(
    _ASSIGNMENTS.c.household_id.in_(bindparam("ids", expanding=True)),
    _ASSIGNMENTS.c.valid_to.is_(None),
)
"""Mentor assignments still open, of existing households."""

T = TypeVar("T")
UnitPath = tuple[str | None, str | None, str, str | None]


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
    def unit_path(self) -> UnitPath:
        return (self.province, self.district, self.commune, self.village)


@dataclass(frozen=True)
class HouseholdColumns:
    """Households to save, one list per field, in the meaning of :class:`HouseholdRow` (a
    ``status`` None writes no official record, a ``year`` None is the default year), with the
    deprivations already as bitmasks.

    The importer reads a file column by column and hands the columns over as they are: one
    object per household would cost more than writing the household.
    """

    codes: Sequence[str]
    head_names: Sequence[str]
    unit_paths: Sequence[UnitPath]
    members: Sequence[int]
    areas: Sequence[Area]
    ethnic_minorities: Sequence[bool]
    statuses: Sequence[PovertyClass | None]
    poor_groups: Sequence[str | None]
    years: Sequence[int | None]
    incomes: Sequence[int | None]
    deprived_masks: Sequence[int]
    known_masks: Sequence[int]
    mentor_phones: Sequence[str | None]

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def of_rows(cls, rows: Sequence[HouseholdRow]) -> HouseholdColumns:
        """The rows as columns; an unknown indicator code answered True or False raises
        :class:`~poverty.errors.UnknownIndicatorError`."""
        masks = [_masks(row.deprivations) for row in rows]
        return cls(
            codes=[row.code for row in rows],
            head_names=[row.head_name for row in rows],
            unit_paths=[row.unit_path for row in rows],
            members=[row.members for row in rows],
            areas=[row.area for row in rows],
            ethnic_minorities=[row.ethnic_minority for row in rows],
            statuses=[row.status for row in rows],
            poor_groups=[row.poor_group for row in rows],
            years=[row.year for row in rows],
            incomes=[row.income_per_person for row in rows],
            deprived_masks=[deprived for deprived, _known in masks],
            known_masks=[known for _deprived, known in masks],
            mentor_phones=[row.mentor_phone for row in rows],
        )

    def take(self, indexes: Sequence[int]) -> HouseholdColumns:
        """The households at ``indexes``, in that order."""
        if isinstance(indexes, range) and indexes.step == 1:
            if len(indexes) == len(self):
                return self
            part = slice(indexes.start, indexes.stop)
            return HouseholdColumns(*(column[part] for column in self._columns()))
        return HouseholdColumns(*(_taken(column, indexes) for column in self._columns()))

    def latest(self) -> HouseholdColumns:
        """One household per code, as its last row says, in the order codes first appear."""
        last = {code: index for index, code in enumerate(self.codes)}
        if len(last) == len(self):
            return self
        return self.take(list(last.values()))

    def _columns(self) -> list[Sequence[Any]]:
        """The columns in field order (``dataclasses.astuple`` would copy every value)."""
        return [getattr(self, column.name) for column in fields(self)]


def _taken(column: Sequence[T], indexes: Sequence[int]) -> list[T]:
    return [column[i] for i in indexes]


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


async def save_households(
    session: AsyncSession,
    rows: Sequence[HouseholdRow] | HouseholdColumns,
    actor: Actor,
    now: datetime,
    *,
    tz: tzinfo,
    default_year: int,
) -> SaveResult:
    """Create or update ``rows`` by code inside the caller's transaction (``tz``: the people's
    time zone, for the days mentors start and follow-ups are due).

    Units named by the rows are created when missing (``storage.units.UnitTree``), which raises
    :class:`~poverty.errors.InvalidInputError` when a row without a province names a commune
    found in no province or in several. A code given twice is saved once, as its last row.
    Raises :class:`~poverty.errors.UnknownStandardError` for a year no standard covers.
    """
    return await HouseholdSaver(session, actor, now, tz=tz, default_year=default_year).save(rows)


class HouseholdSaver:
    """:func:`save_households` for a caller that wants progress reports or saves in several
    calls within one transaction: units, standards, mentors, name keys and audit details are
    looked up once for all the calls.

    ``units`` shares a tree the caller already used, such as the importer's check of the rows'
    places, so no place is looked up twice.
    """

    def __init__(
        self,
        session: AsyncSession,
        actor: Actor,
        now: datetime,
        *,
        tz: tzinfo,
        default_year: int,
        units: UnitTree | None = None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.tz = tz
        self.today: date = now.astimezone(tz).date()
        self.default_year = default_year
        self.units = units if units is not None else UnitTree(session)
        self.unit_ids: dict[UnitPath, _UnitIds] = {}
        self.standards: dict[int, str] = {}
        self.name_keys: dict[str, str] = {}
        self.mentors: dict[str, int] = {}
        self.details: dict[tuple[str, ...], dict[str, Any]] = {}
        self.given: dict[tuple[bool, bool, bool, bool, bool], dict[str, Any]] = {}

    async def save(
        self,
        rows: Sequence[HouseholdRow] | HouseholdColumns,
        on_progress: Callable[[int], None] | None = None,
    ) -> SaveResult:
        """Save ``rows`` as :func:`save_households` does; ``on_progress`` is called with the
        number of rows handed to the database so far.

        Everything the rows are compared with is read first; the writes then follow chunk by
        chunk (on SQLite with a page cache large enough for the indexes they touch).
        """
        given = rows if isinstance(rows, HouseholdColumns) else HouseholdColumns.of_rows(rows)
        latest = given.latest()
        await self._place(latest)
        known = await self._fetch(latest)
        result = SaveResult(0, 0, 0)
        async with larger_page_cache(self.session):
            for start in range(0, len(latest), CHUNK):
                chunk = latest.take(range(start, min(start + CHUNK, len(latest))))
                result += await self._save_chunk(chunk, known)
                if on_progress is not None:
                    on_progress(min(start + CHUNK, len(latest)))
        return result

    async def _save_chunk(self, rows: HouseholdColumns, known: _Known) -> SaveResult:
        batch = self._plan(rows)
        self._match_households(batch, known)
        self._match_records(batch, known)
        self._match_mentors(batch, known)
        await self._write(batch)
        await open_followups_of_new(
            self.session, batch.new_households(), self.now, self.actor, tz=self.tz
        )
        await sync_followups(
            self.session, batch.followup_candidates(), self.now, self.actor, tz=self.tz
        )
        created, updated = len(batch.new), len(batch.changed)
        return SaveResult(created, updated, len(rows) - created - updated)

    async def _place(self, rows: HouseholdColumns) -> None:
        """Unit ids of every place the rows name, creating missing units."""
        for path in dict.fromkeys(rows.unit_paths):
            if path not in self.unit_ids:
                placement = await self.units.place(*path)
                self.unit_ids[path] = (
                    placement.unit_id,
                    placement.province_id,
                    placement.district_id,
                    placement.commune_id,
                    placement.village_id,
                )

    async def _fetch(self, rows: HouseholdColumns) -> _Known:
        """What the database holds of the rows' households (by code), of their official records
        and open mentor assignments; the mentors' users, created when missing."""
        known = _Known()
        for chunk in chunks(rows.codes, CHUNK):
            found = await self.session.execute(_BY_CODE, {"codes": list(chunk)})
            known.households.update({row[0]: tuple(row[1:]) for row in found})
        await self._mentor_ids({phone for phone in rows.mentor_phones if phone})
        if not known.households:
            return known
        ids = [old[0] for old in known.households.values()]
        for chunk in chunks(ids, CHUNK):
            found = await self.session.execute(_RECORDS_OF, {"ids": list(chunk)})
            known.records.update({(row[0], row[1]): tuple(row[2:]) for row in found})
        with_phone = [
            old[0]
            for code, phone in zip(rows.codes, rows.mentor_phones, strict=True)
            if phone and (old := known.households.get(code)) is not None
        ]
        for chunk in chunks(with_phone, CHUNK):
            found = await self.session.execute(_OPEN_ASSIGNMENTS, {"ids": list(chunk)})
            for assignment_id, household_id, mentor_id in found:
                known.assignments.setdefault(household_id, []).append((assignment_id, mentor_id))
        return known

    def _plan(self, rows: HouseholdColumns) -> _Batch:
        """The households' values (in :data:`_INSERT_FIELDS` order), their official records'
        values (year first, then :data:`_RECORD_FIELDS`; None without a status) and the audit
        details were they new. Built column by column into plain tuples, since an import plans
        a province's households."""
        statuses = rows.statuses
        units = list(zip(*map(self.unit_ids.__getitem__, rows.unit_paths), strict=True))
        keys = list(map(self._name_key, rows.head_names))
        has_status = [status is not None for status in statuses]
        default = self.default_year
        years = [
            (default if year is None else year) if given else None
            for year, given in zip(rows.years, has_status, strict=True)
        ]
        groups = [
            group if given else None
            for group, given in zip(rows.poor_groups, has_status, strict=True)
        ]
        household_values = list(
            zip(
                rows.codes,
                keys,
                rows.head_names,
                *units,
                rows.areas,
                rows.members,
                rows.ethnic_minorities,
                statuses,
                groups,
                years,
                strict=True,
            )
        )
        standards = list(map(self._standard_id, years))
        record_values = [
            record if record[7] is not None else None
            for record in zip(
                years,
                *units[1:],
                rows.ethnic_minorities,
                rows.areas,
                statuses,
                groups,
                rows.incomes,
                rows.deprived_masks,
                rows.known_masks,
                standards,
                strict=True,
            )
        ]
        signatures = zip(
            has_status,
            [group is not None for group in groups],
            [income is not None for income in rows.incomes],
            [known != 0 for known in rows.known_masks],
            [phone is not None for phone in rows.mentor_phones],
            strict=True,
        )
        return _Batch(rows, household_values, record_values, list(map(self._given, signatures)))

    def _given(self, signature: tuple[bool, bool, bool, bool, bool]) -> dict[str, Any]:
        """Audit details of a new household: the fields its row fills in (by which of status,
        group, income, deprivations and mentor it gives)."""
        details = self.given.get(signature)
        if details is None:
            details = self.given[signature] = self._details(_given_fields(*signature))
        return details

    def _details(self, fields: list[str]) -> dict[str, Any]:
        """``{"fields": fields}``, one dict per distinct list, so it is serialised once."""
        key = tuple(fields)
        found = self.details.get(key)
        if found is None:
            found = self.details[key] = {"fields": fields}
        return found

    def _name_key(self, name: str) -> str:
        key = self.name_keys.get(name)
        if key is None:
            key = self.name_keys[name] = fold(name)
        return key

    def _standard_id(self, year: int | None) -> str | None:
        if year is None:
            return None
        standard_id = self.standards.get(year)
        if standard_id is None:
            standard_id = self.standards[year] = standard_for_year(year).id
        return standard_id

    def _match_households(self, batch: _Batch, known: _Known) -> None:
        """Note the new households, and the fields each existing one changes."""
        if not known.households:
            batch.new = list(range(len(batch.rows)))
            return
        for index, code in enumerate(batch.rows.codes):
            old = known.households.get(code)
            if old is None:
                batch.new.append(index)
                continue
            batch.ids[index] = old[0]
            values = batch.values[index][_FIELDS_START:]
            changed: list[str] = []
            for name, before, after in zip(_HOUSEHOLD_FIELDS, old[1:], values, strict=True):
                if before != after:
                    _add(changed, _AUDIT_NAMES.get(name, name))
            batch.fields[index] = changed

    def _match_records(self, batch: _Batch, known: _Known) -> None:
        """Note the official records of existing households to write for the row's year (every
        new household with a status gets a new record anyway)."""
        for index in batch.fields:
            record = batch.records[index]
            if record is None:
                continue
            old = known.records.get((batch.ids[index], record[0]))
            if old is None:
                batch.fresh_records.append(index)
                _add(batch.fields[index], "official_record")
                continue
            differing = [
                name
                for name, before, after in zip(_RECORD_FIELDS, old[1:], record[1:], strict=True)
                if before != after
            ]
            if differing:
                batch.stale_records[index] = old[0]
                for name in differing:
                    _add(batch.fields[index], _AUDIT_NAMES.get(name, name))

    def _match_mentors(self, batch: _Batch, known: _Known) -> None:
        """Find the mentor hand-overs to record."""
        for index, phone in enumerate(batch.rows.mentor_phones):
            if not phone:
                continue
            mentor_id = self.mentors[phone]
            current = known.assignments.get(batch.ids[index], [])
            if any(mentor == mentor_id for _, mentor in current):
                continue
            batch.mentor_ids[index] = mentor_id
            batch.closing += [assignment_id for assignment_id, _ in current]
            if index in batch.fields:
                _add(batch.fields[index], "mentor")

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

    async def _write(self, batch: _Batch) -> None:
        await self._write_households(batch)
        await self._write_records(batch)
        await self._write_assignments(batch)
        await self._write_audit(batch)

    async def _write_households(self, batch: _Batch) -> None:
        """Insert the new households, noting their ids, and update the changed ones."""
        values = batch.values
        if batch.new:
            ids = await insert_with_ids(
                self.session,
                _HOUSEHOLDS,
                _INSERT_FIELDS,
                values if len(batch.new) == len(values) else [values[i] for i in batch.new],
                {"created_at": self.now, "updated_at": self.now},
                key="code",
            )
            for index, household_id in zip(batch.new, ids, strict=True):
                batch.ids[index] = household_id
        changed = batch.changed
        if changed:
            await self.session.execute(
                update(_HOUSEHOLDS)
                .where(_HOUSEHOLDS.c.id == bindparam("b_id"))
                .values({name: bindparam(name) for name in _INSERT_FIELDS[1:]})
                .values(updated_at=bindparam("b_now")),
                [
                    {
                        **dict(zip(_INSERT_FIELDS[1:], values[i][1:], strict=True)),
                        "b_id": batch.ids[i],
                        "b_now": self.now,
                    }
                    for i in changed
                ],
            )

    async def _write_records(self, batch: _Batch) -> None:
        """Insert the official records of new households and the missing ones of existing
        households; update the ones that differ."""
        records, ids = batch.records, batch.ids
        fresh = [(ids[i], *record) for i in batch.new if (record := records[i]) is not None]
        fresh += [(ids[i], *(records[i] or ())) for i in batch.fresh_records]
        await insert_rows(self.session, _RECORDS, _RECORD_INSERT, fresh, {"updated_at": self.now})
        if batch.stale_records:
            await self.session.execute(
                update(_RECORDS)
                .where(_RECORDS.c.id == bindparam("b_id"))
                .values({name: bindparam(name) for name in _RECORD_FIELDS})
                .values(updated_at=bindparam("b_now")),
                [
                    {
                        **dict(zip(_RECORD_FIELDS, (records[i] or ())[1:], strict=True)),
                        "b_id": record_id,
                        "b_now": self.now,
                    }
                    for i, record_id in batch.stale_records.items()
                ],
            )

    async def _write_assignments(self, batch: _Batch) -> None:
        """Close the previous mentor's assignment today and open the new one (hand-over)."""
        if batch.closing:
            await self.session.execute(
                update(_ASSIGNMENTS)
                .where(_ASSIGNMENTS.c.id == bindparam("b_id"))
                .values(valid_to=bindparam("b_today")),
                [{"b_id": assignment_id, "b_today": self.today} for assignment_id in batch.closing],
            )
        await insert_rows(
            self.session,
            _ASSIGNMENTS,
            ("household_id", "mentor_user_id"),
            [(batch.ids[i], mentor_id) for i, mentor_id in batch.mentor_ids.items()],
            {"valid_from": self.today, "valid_to": None},
        )

    async def _write_audit(self, batch: _Batch) -> None:
        """One audit row per household created or changed, in the rows' order."""
        given, ids, fields = batch.given, batch.ids, batch.fields
        entries = [
            AuditEntry("household.update", "household", str(ids[i]), self._details(fields[i]))
            if i in fields
            else AuditEntry("household.create", "household", str(ids[i]), given[i])
            for i in sorted([*batch.new, *batch.changed])
        ]
        await record_audit(self.session, self.actor, entries, self.now)


_UnitIds = tuple[int, int, int | None, int, int | None]
"""(unit_id, province_id, district_id, commune_id, village_id) of a household's place."""
_DEPRIVED_AT = 1 + _RECORD_FIELDS.index("deprived_mask")
"""Position of the deprived mask in a planned official record (year first)."""


@dataclass
class _Known:
    """What the database held before the save: households by code (id, then
    :data:`_HOUSEHOLD_FIELDS`), official records by (household id, year) (id, then
    :data:`_RECORD_FIELDS`), and open assignments by household id (id, mentor)."""

    households: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    records: dict[tuple[int | None, int], tuple[Any, ...]] = field(default_factory=dict)
    assignments: dict[int | None, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass
class _Batch:
    """One chunk of rows on its way to the database; rows are named by their position.

    ``new`` lists the new households; ``fields`` maps each existing household to the audit
    fields it changes (empty when unchanged). The matching fills in ids, the existing
    households' records to insert or update, and the mentor assignments to open or close.
    """

    rows: HouseholdColumns
    values: list[tuple[Any, ...]]
    records: list[tuple[Any, ...] | None]
    given: list[dict[str, Any]]
    ids: list[int | None] = field(init=False)
    new: list[int] = field(default_factory=list)
    fields: dict[int, list[str]] = field(default_factory=dict)
    fresh_records: list[int] = field(default_factory=list)
    stale_records: dict[int, int] = field(default_factory=dict)
    mentor_ids: dict[int, int] = field(default_factory=dict)
    closing: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = [None] * len(self.rows)

    @property
    def changed(self) -> list[int]:
        """Existing households that this batch changes."""
        return [index for index, names in self.fields.items() if names]

    def new_households(self) -> list[tuple[int, str | None, int]]:
        """(id, status, deprived mask) of the new poor or near-poor households with an official
        record: their follow-ups follow from that record alone
        (:func:`storage.followups.open_followups_of_new`)."""
        found: list[tuple[int, str | None, int]] = []
        statuses = self.rows.statuses
        for index in self.new:
            record = self.records[index]
            household_id = self.ids[index]
            if record is not None and household_id is not None:
                status = statuses[index]
                if status in POOR_OR_NEAR_POOR:
                    found.append((household_id, status, record[_DEPRIVED_AT]))
        return found

    def followup_candidates(self) -> list[int]:
        """Existing households whose follow-ups may have to open, close or be cancelled: every
        one whose official record was written (new ones are :meth:`new_households`)."""
        return [
            household_id
            for index in dict.fromkeys([*self.fresh_records, *self.stale_records])
            if (household_id := self.ids[index]) is not None
        ]


def _masks(deprivations: Mapping[str, bool | None]) -> tuple[int, int]:
    """(deprived, known) bitmasks from poverty's bit registry; an unknown code answered True or
    False raises :class:`~poverty.errors.UnknownIndicatorError`."""
    try:
        both = sum(map(_ANSWER_BITS.__getitem__, deprivations.items()))
    except KeyError:
        known_answers = [code for code, value in deprivations.items() if value is not None]
        to_mask(known_answers)
        both = sum(_ANSWER_BITS[code, bool(deprivations[code])] for code in known_answers)
    return both & ((1 << _KNOWN_SHIFT) - 1), both >> _KNOWN_SHIFT


def _given_fields(
    status: bool, group: bool, income: bool, deprivations: bool, mentor: bool
) -> list[str]:
    """Audit fields of a new household: the ones its row fills in."""
    given = ["head_name", "unit", "area", "members", "ethnic_minority"]
    if status:
        given += ["official_status", "official_year"]
    if group:
        given.append("official_group")
    if income:
        given.append("income_per_person")
    if deprivations:
        given.append("deprivations")
    if mentor:
        given.append("mentor")
    return given


def _add(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)
