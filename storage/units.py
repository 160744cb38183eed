"""The administrative tree: creating units on import, finding a unit by what people type,
and the subtree a role covers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError, NotFoundError
from poverty.i18n import N_
from poverty.text import fold, without_nul
from storage.models import AdminUnit

Level = Literal["province", "district", "commune", "village"]
LEVEL_LABELS: dict[str, str] = {
    "province": N_("tỉnh"),
    "district": N_("huyện"),
    "commune": N_("xã"),
    "village": N_("thôn"),
}
# Levels named when splitting a typed path: "Quảng Trị / Cam Lộ / Cam Tuyên".
PATH_SEPARATORS = ("/", ">", ",")


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    urban: bool

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
    return Unit(row.id, row.code, row.name, row.level, row.parent_id, row.path, row.urban)


def unit_key(name: str) -> str:
    """Matching key of a unit name: folded, with the usual level prefixes dropped."""
    key = fold(name)
    for prefix in (
        "tinh ",
        "thanh pho ",
        "tp ",
        "huyen ",
        "quan ",
        "thi xa ",
        "xa ",
        "phuong ",
        "thi tran ",
        "tt ",
        "thon ",
        "ban ",
        "khu pho ",
        "to dan pho ",
        "ap ",
    ):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


class UnitTree:
    """Creates and caches units while a file is imported; one instance per import."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._ids: dict[tuple[int | None, str], AdminUnit] = {}
        self._placements: dict[tuple[str | None, str | None, str, str | None], Placement] = {}

    async def child(self, parent: AdminUnit | None, name: str, level: Level) -> AdminUnit:
        key = unit_key(name)
        parent_id = parent.id if parent else None
        cached = self._ids.get((parent_id, key))
        if cached is not None:
            return cached
        found = await self._session.scalar(
            select(AdminUnit).where(
                AdminUnit.parent_id.is_(parent_id)
                if parent is None
                else AdminUnit.parent_id == parent_id,
                AdminUnit.name_key == key,
            )
        )
        if found is None:
            code = f"{parent.code}/{key}" if parent else key
            found = AdminUnit(
                code=code.replace(" ", "_"),
                name=name.strip(),
                name_key=key,
                level=level,
                parent_id=parent_id,
                path="",
                urban=False,
            )
            self._session.add(found)
            await self._session.flush()
            found.path = f"{parent.path if parent else '/'}{found.id}/"
            await self._session.flush()
        self._ids[(parent_id, key)] = found
        return found

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
        vill = await self.child(comm, village, "village") if village else None
        return Placement(
            unit_id=(vill or comm).id,
            province_id=top.id,
            district_id=dist.id if dist else None,
            commune_id=comm.id,
            village_id=vill.id if vill else None,
        )

    async def _province_of(self, commune: str) -> AdminUnit:
        rows = (
            await self._session.scalars(
                select(AdminUnit).where(
                    AdminUnit.level == "commune", AdminUnit.name_key == unit_key(commune)
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
    """The one unit that ``text`` names: a name (``Cam Lộ``, ``xa cam tuyen``) or a path
    (``Quảng Trị / Cam Lộ / Cam Tuyên``). Ambiguous or unknown names raise with a clear message."""
    text = without_nul(text)
    parts = [text]
    for separator in PATH_SEPARATORS:
        if separator in text:
            parts = [p for p in text.split(separator) if p.strip()]
            break
    keys = [unit_key(p) for p in parts]
    if not keys or not keys[-1]:
        raise NotFoundError(N_("Chưa nhập tên đơn vị."))
    candidates = (
        await session.scalars(
            select(AdminUnit).where(AdminUnit.name_key == keys[-1]).order_by(AdminUnit.path)
        )
    ).all()
    if len(keys) > 1:
        candidates = [c for c in candidates if await _ancestors_match(session, c, keys[:-1])]
    if not candidates:
        raise NotFoundError(N_("Không tìm thấy đơn vị “{name}”."), name=text.strip())
    if len(candidates) > 1:
        raise NotFoundError(
            N_("Có {count} đơn vị tên “{name}”; hãy ghi rõ, ví dụ “{example}”."),
            count=len(candidates),
            name=text.strip(),
            example=await unit_label(session, _unit(candidates[0])),
        )
    return _unit(candidates[0])


async def _ancestors_match(session: AsyncSession, unit: AdminUnit, keys: list[str]) -> bool:
    ancestor_keys = {a.name_key for a in await ancestors(session, _unit(unit))}
    return all(k in ancestor_keys for k in keys)


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
