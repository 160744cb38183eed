"""The administrative tree: creating units on import, finding a unit by what people type,
and the subtree a role covers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError, NotFoundError
from poverty.formatting import format_date
from poverty.i18n import N_
from poverty.text import without_nul
from poverty.unit_names import (
    UnitName,
    kind_fits,
    kind_for_new_unit,
    kind_of_name,
    parse_unit_name,
    qualified_name,
    unit_key,
)
from storage.models import AdminUnit

__all__ = ["unit_key"]

Level = Literal["province", "district", "commune", "village"]
# Levels named when splitting a typed path: "Quảng Trị / Cam Lộ / Cam Tuyên".
PATH_SEPARATORS = ("/", ">", ",")
MAX_SUGGESTIONS = 6


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    urban: bool
    kind: str = ""
    official_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    """The first day the unit no longer exists (None: current)."""
    replaced_by_id: int | None = None

    def contains(self, other: Unit) -> bool:
        """Whether ``other`` is this unit or below it."""
        return other.path.startswith(self.path)


@dataclass(frozen=True)
class Placement:
    """Where a household sits: its own unit and every ancestor, as stored on the household."""

    unit_id: int
    province_id: int
    district_id: int | None
    commune_id: int
    village_id: int | None


def _unit(row: AdminUnit) -> Unit:
    return Unit(
        row.id,
        row.code,
        row.name,
        row.level,
        row.parent_id,
        row.path,
        row.urban,
        row.kind or kind_of_name(row.name),
        row.official_code,
        row.valid_from,
        row.valid_to,
        row.replaced_by_id,
    )


def as_unit(row: AdminUnit) -> Unit:
    """The domain value of a unit row."""
    return _unit(row)


class UnitTree:
    """Creates and caches units while a file is imported; one instance per import."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._ids: dict[tuple[int | None, str], AdminUnit] = {}
        self._placements: dict[tuple[str | None, str | None, str, str | None], Placement] = {}
        self.created: set[int] = set()
        """Ids of the units this tree created."""

    async def child(self, parent: AdminUnit | None, name: str, level: Level) -> AdminUnit:
        """The unit ``name`` at ``level`` under ``parent``, created when missing.

        A level word in the name keeps only units of that kind (``Thị trấn Cam Lộ`` is not
        ``Huyện Cam Lộ``); among several, a current unit is taken before a former one."""
        parsed = parse_unit_name(name)
        key = parsed.key
        kind = kind_for_new_unit(name, level)
        parent_id = parent.id if parent else None
        cached = self._ids.get((parent_id, f"{level}:{kind}:{key}"))
        if cached is not None:
            return cached
        rows = (
            await self._session.scalars(
                select(AdminUnit)
                .where(
                    AdminUnit.parent_id.is_(parent_id)
                    if parent is None
                    else AdminUnit.parent_id == parent_id,
                    AdminUnit.name_key == key,
                )
                .order_by(AdminUnit.id)
            )
        ).all()
        fitting = [
            r
            for r in rows
            if r.level == level
            and (
                parsed.kind is None
                or kind_fits(parsed.kind, r.kind or kind_of_name(r.name), r.level)
            )
        ]
        fitting.sort(key=lambda r: r.valid_to is not None)
        found = fitting[0] if fitting else None
        if found is None:
            code = f"{parent.code}/{key}" if parent else key
            found = AdminUnit(
                code=await self._free_code(code.replace(" ", "_"))
                if rows
                else code.replace(" ", "_"),
                name=name.strip(),
                name_key=key,
                level=level,
                kind=kind,
                parent_id=parent_id,
                path="",
                urban=False,
            )
            self._session.add(found)
            await self._session.flush()
            found.path = f"{parent.path if parent else '/'}{found.id}/"
            await self._session.flush()
            self.created.add(found.id)
        self._ids[(parent_id, f"{level}:{kind}:{key}")] = found
        return found

    async def _free_code(self, code: str) -> str:
        """``code``, or ``code-2``, ``code-3``… when another unit holds it (a district and a
        commune of the same name under one province); asked only when a sibling has the name."""
        candidate, number = code, 1
        while await self._session.scalar(select(AdminUnit.id).where(AdminUnit.code == candidate)):
            number += 1
            candidate = f"{code}-{number}"
        return candidate

    async def place(
        self, province: str | None, district: str | None, commune: str, village: str | None
    ) -> Placement:
        """The placement for a row of the import file, creating missing units.

        Placements are remembered, so a file of a province's households asks the database about
        each village once, however many rows and batches name it.
        """
        path = (province, district, commune, village)
        placement = self._placements.get(path)
        if placement is None:
            placement = self._placements[path] = await self._place(*path)
        return placement

    async def _place(
        self, province: str | None, district: str | None, commune: str, village: str | None
    ) -> Placement:
        if province:
            top = await self.child(None, province, "province")
        else:
            top = await self._province_of(commune)
        dist = await self.child(top, district, "district") if district else None
        comm = await self.child(dist or top, commune, "commune")
        if comm.valid_to is not None and comm.replaced_by_id is not None:
            # An old file names a commune merged since: its households go to today's commune.
            comm = await self._current(comm)
            top, dist = await self._ancestors_of(comm)
        vill = await self.child(comm, village, "village") if village else None
        return Placement(
            unit_id=(vill or comm).id,
            province_id=top.id,
            district_id=dist.id if dist else None,
            commune_id=comm.id,
            village_id=vill.id if vill else None,
        )

    async def _current(self, unit: AdminUnit) -> AdminUnit:
        """The unit that took over ``unit``, following later merges."""
        while unit.valid_to is not None and unit.replaced_by_id is not None:
            replaced = await self._session.get(AdminUnit, unit.replaced_by_id)
            assert replaced is not None
            unit = replaced
        return unit

    async def _ancestors_of(self, commune: AdminUnit) -> tuple[AdminUnit, AdminUnit | None]:
        """The province and (if any) district of ``commune``."""
        ids = [int(i) for i in commune.path.strip("/").split("/")]
        rows = {
            r.id: r
            for r in await self._session.scalars(select(AdminUnit).where(AdminUnit.id.in_(ids)))
        }
        levels = {rows[i].level: rows[i] for i in ids}
        return levels["province"], levels.get("district")

    async def _province_of(self, commune: str) -> AdminUnit:
        rows = (
            await self._session.scalars(
                select(AdminUnit).where(
                    AdminUnit.level == "commune",
                    AdminUnit.name_key == unit_key(commune),
                    AdminUnit.valid_to.is_(None),
                )
            )
        ).all()
        if len(rows) != 1:
            raise InvalidInputError(
                N_("Không rõ xã {xa} thuộc tỉnh nào: hãy điền cột tinh."), xa=commune
            )
        province_id = int(rows[0].path.strip("/").split("/")[0])
        province = await self._session.get(AdminUnit, province_id)
        assert province is not None
        return province


async def get_unit(session: AsyncSession, unit_id: int) -> Unit:
    row = await session.get(AdminUnit, unit_id)
    if row is None:
        raise NotFoundError(N_("Không tìm thấy đơn vị."))
    return _unit(row)


async def find_unit(session: AsyncSession, text: str) -> Unit:
    """The one unit that ``text`` names, by the rules people expect (DESIGN, "Units"):

    - an official code (``19459``) or the unit's own code names that unit;
    - a name (``Cam Lộ``, ``xa cam tuyen``); a level word in front (``Huyện``, ``Thị trấn``,
      ``Xã``…) keeps only units of that kind;
    - a path (``Quảng Trị / Cam Lộ / Cam Tuyên``, separators ``/``, ``>`` or ``,``) keeps only
      units whose ancestors match the earlier parts, in order (levels may be skipped);
    - when a current unit and former ones match, the current one wins; a former unit is still
      found by its path or code (:func:`former_note` says what replaced it).

    Unknown names raise :class:`NotFoundError`; a name that still fits several units raises
    :class:`AmbiguousUnitError`, whose suggestions each name exactly one of them.
    """
    text = " ".join(without_nul(text).split())
    if not text:
        raise NotFoundError(N_("Chưa nhập tên đơn vị."))
    found = await _matches(session, text)
    if not found:
        raise NotFoundError(N_("Không tìm thấy đơn vị “{name}”."), name=text)
    if len(found) > 1:
        suggestions = [await unit_reference(session, _unit(row)) for row in found[:MAX_SUGGESTIONS]]
        raise AmbiguousUnitError(
            N_("Có {count} đơn vị tên “{name}”; hãy ghi rõ một trong: {choices}."),
            count=len(found),
            name=text,
            choices="; ".join(f"“{s}”" for s in suggestions),
        )
    return _unit(found[0])


async def matching_units(session: AsyncSession, text: str) -> list[Unit]:
    """Every unit ``text`` fits by the rules of :func:`find_unit` (current ones only when any
    fits), for callers that narrow further, such as a manager's own area."""
    text = " ".join(without_nul(text).split())
    if not text:
        return []
    return [_unit(row) for row in await _matches(session, text)]


class AmbiguousUnitError(NotFoundError):
    """A unit name that fits several units; the message lists a way to name each."""


async def _matches(session: AsyncSession, text: str) -> list[AdminUnit]:
    """The units ``text`` fits best: exact code, else name and path, current ones first."""
    exact = (
        await session.scalars(
            select(AdminUnit).where(or_(AdminUnit.official_code == text, AdminUnit.code == text))
        )
    ).all()
    if exact:
        return list(exact)
    parts = [text]
    for separator in PATH_SEPARATORS:
        if separator in text:
            parts = [p.strip() for p in text.split(separator) if p.strip()]
            break
    if not parts:
        return []
    names = [parse_unit_name(p) for p in parts]
    last = names[-1]
    rows = (
        await session.scalars(
            select(AdminUnit)
            .where(or_(AdminUnit.name_key == last.key, AdminUnit.official_code == parts[-1]))
            .order_by(AdminUnit.path)
        )
    ).all()
    candidates = [r for r in rows if _fits(r, parts[-1], last)]
    if len(parts) > 1 and candidates:
        # Every candidate's ancestors in one query: "Thôn 1" may name a village in each commune.
        chains = {r.id: [int(i) for i in r.path.strip("/").split("/")[:-1]] for r in candidates}
        wanted = {i for chain in chains.values() for i in chain}
        found = await session.scalars(select(AdminUnit).where(AdminUnit.id.in_(wanted)))
        by_id = {row.id: row for row in found}
        candidates = [
            r
            for r in candidates
            if _path_fits([by_id[i] for i in chains[r.id] if i in by_id], parts, names)
        ]
    current = [r for r in candidates if r.valid_to is None]
    return current or candidates


def _fits(row: AdminUnit, raw: str, name: UnitName) -> bool:
    if row.official_code is not None and row.official_code == raw:
        return True
    if row.name_key != name.key:
        return False
    return name.kind is None or kind_fits(name.kind, row.kind or kind_of_name(row.name), row.level)


def _path_fits(chain: list[AdminUnit], parts: list[str], names: list[UnitName]) -> bool:
    """Whether the earlier parts of a typed path name ancestors of the unit, in order."""
    position = 0
    for raw, name in zip(parts[:-1], names[:-1], strict=True):
        while position < len(chain) and not _fits(chain[position], raw, name):
            position += 1
        if position == len(chain):
            return False
        position += 1
    return True


async def unit_reference(session: AsyncSession, unit: Unit) -> str:
    """A text that :func:`find_unit` resolves to exactly ``unit``: its path as stored, else
    its path with every level word, else its official code, else its own code."""
    chain = await ancestors(session, unit)
    plain = " / ".join([a.name for a in chain] + [unit.name])
    qualified = " / ".join(
        [qualified_name(a.name, a.kind) for a in chain] + [qualified_name(unit.name, unit.kind)]
    )
    for text in (plain, qualified, unit.official_code):
        if text is None:
            continue
        found = await _matches(session, text)
        if len(found) == 1 and found[0].id == unit.id:
            return text
    return unit.code


@dataclass(frozen=True)
class FormerNote:
    """What became of a former unit, ready to translate."""

    msgid: str
    params: dict[str, str]

    def render(self, translate: Callable[[str], str]) -> str:
        return translate(self.msgid).format(**self.params)


MERGED_INTO = N_("“{unit}” đã được sáp nhập vào “{new}” từ ngày {date}.")
ENDED = N_("“{unit}” không còn là đơn vị hành chính từ ngày {date}.")


async def former_note(session: AsyncSession, unit: Unit) -> FormerNote | None:
    """For a former unit, the sentence that says into which unit it was merged and since
    when (or that it ended, for a district left with no commune); None for a current unit."""
    if unit.valid_to is None:
        return None
    name = qualified_name(unit.name, unit.kind)
    when = format_date(unit.valid_to)
    if unit.replaced_by_id is None:
        return FormerNote(ENDED, {"unit": name, "date": when})
    new = await get_unit(session, unit.replaced_by_id)
    reference = await unit_reference(session, new)
    return FormerNote(MERGED_INTO, {"unit": name, "new": reference, "date": when})


async def ancestors(session: AsyncSession, unit: Unit) -> list[AdminUnit]:
    ids = [int(i) for i in unit.path.strip("/").split("/")[:-1]]
    if not ids:
        return []
    rows = (await session.scalars(select(AdminUnit).where(AdminUnit.id.in_(ids)))).all()
    return sorted(rows, key=lambda r: ids.index(r.id))


async def unit_label(session: AsyncSession, unit: Unit) -> str:
    """``Quảng Trị / Cam Lộ / Cam Tuyên``: the full path people can type back."""
    names = [a.name for a in await ancestors(session, unit)] + [unit.name]
    return " / ".join(names)


async def children(session: AsyncSession, unit: Unit) -> list[Unit]:
    rows = (
        await session.scalars(
            select(AdminUnit).where(AdminUnit.parent_id == unit.id).order_by(AdminUnit.id)
        )
    ).all()
    return [_unit(r) for r in rows]


def require_level(unit: Unit, *levels: str) -> None:
    if unit.level not in levels:
        raise InvalidInputError(N_("Đơn vị {name} không phù hợp ở đây."), name=unit.name)
