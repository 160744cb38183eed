"""Units as they are now and as they were: loading an official list of units, and the tree of a
unit for ``giamngheo units list``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.i18n import N_
from poverty.import_issues import ImportRejectedError, Issue
from poverty.unit_names import UnitKind, qualified_name
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import AdminUnit
from storage.units import Level, Unit, UnitTree, as_unit

LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2, "village": 3}
PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "province": (),
    "district": ("province",),
    "commune": ("province", "district"),
    "village": ("commune",),
}

UNKNOWN_PARENT = N_("Mã cấp trên {code} không có trong tệp cũng như trong cơ sở dữ liệu.")
NEEDS_PARENT = N_("Đơn vị loại này cần mã cấp trên.")
NO_PARENT_FOR_PROVINCE = N_("Tỉnh, thành phố trực thuộc trung ương không có cấp trên.")
WRONG_PARENT = N_("Đơn vị loại “{kind}” không thể thuộc “{parent}”.")
PARENT_CYCLE = N_("Mã cấp trên tạo thành vòng lặp: {codes}.")
MOVED_PARENT = N_(
    "Mã {code} đã có dưới một đơn vị cấp trên khác; hãy chuyển bằng giamngheo units reorganise."
)
CODE_TAKEN = N_("Đơn vị “{name}” đã có mã {code}.")


@dataclass(frozen=True)
class UnitRow:
    """One unit of the list; ``row`` is the spreadsheet's row number."""

    row: int
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None


@dataclass(frozen=True)
class UnitListFile:
    rows: tuple[UnitRow, ...]
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]


@dataclass(frozen=True)
class UnitImportSummary:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _Planned:
    row: UnitRow
    level: Level


async def import_unit_list(
    session: AsyncSession, file: UnitListFile, actor: Actor, now: datetime
) -> UnitImportSummary:
    """Create or update the units of an official list, all or nothing.

    A unit is found by its official code, else by its name and level word under the same parent
    (it then gets the code). Every row is checked before anything is written; any invalid row
    raises :class:`ImportRejectedError` listing them all.
    """
    errors = list(file.errors)
    by_code = {row.code: row for row in file.rows}
    known = {
        row.official_code: row
        for row in (
            await session.scalars(
                select(AdminUnit).where(
                    AdminUnit.official_code.in_({r.code for r in file.rows} | _parents(file))
                )
            )
        ).all()
        if row.official_code is not None
    }
    planned: dict[str, _Planned] = {}
    pending = list(file.rows)
    while pending:
        progress = False
        for row in list(pending):
            if row.parent_code is not None and row.parent_code in by_code:
                if row.parent_code not in planned:
                    continue
                parent_level: str | None = planned[row.parent_code].level
            elif row.parent_code is not None:
                parent_row = known.get(row.parent_code)
                if parent_row is None:
                    errors.append(
                        Issue(UNKNOWN_PARENT, {"code": row.parent_code}, row.row, "ma_cap_tren")
                    )
                    pending.remove(row)
                    progress = True
                    continue
                parent_level = parent_row.level
            else:
                parent_level = None
            pending.remove(row)
            progress = True
            level = _level(row, parent_level)
            problem = _parent_problem(row, level, parent_level)
            if problem is not None:
                errors.append(problem)
                continue
            planned[row.code] = _Planned(row, level)
        if not progress:
            for row in pending:
                errors.append(
                    Issue(PARENT_CYCLE, {"codes": _cycle(row, by_code)}, row.row, "ma_cap_tren")
                )
            break
    if errors:
        raise ImportRejectedError(sorted(errors, key=lambda i: i.row or 0), _invalid(errors))
    return await _write(session, planned, known, actor, now)


def _parents(file: UnitListFile) -> set[str]:
    return {r.parent_code for r in file.rows if r.parent_code is not None}


def _invalid(errors: list[Issue]) -> int:
    return len({issue.row for issue in errors})


def _level(row: UnitRow, parent_level: str | None) -> Level:
    if row.kind.code == "thanh_pho":
        return "province" if parent_level is None else "district"
    level = row.kind.levels[0]
    assert level in LEVEL_ORDER
    return level  # type: ignore[return-value]


def _parent_problem(row: UnitRow, level: str, parent_level: str | None) -> Issue | None:
    if parent_level is None:
        if level == "province":
            return None
        return Issue(NEEDS_PARENT, {}, row.row, "ma_cap_tren")
    if level == "province":
        return Issue(NO_PARENT_FOR_PROVINCE, {}, row.row, "ma_cap_tren")
    if parent_level not in PARENT_LEVELS[level]:
        return Issue(
            WRONG_PARENT,
            {"kind": row.kind.label, "parent": row.parent_code or ""},
            row.row,
            "ma_cap_tren",
        )
    return None


def _cycle(row: UnitRow, by_code: dict[str, UnitRow]) -> str:
    seen: list[str] = []
    code: str | None = row.code
    while code is not None and code in by_code and code not in seen:
        seen.append(code)
        code = by_code[code].parent_code
    return " → ".join([*seen, code or ""])


async def _write(
    session: AsyncSession,
    planned: dict[str, _Planned],
    known: dict[str, AdminUnit],
    actor: Actor,
    now: datetime,
) -> UnitImportSummary:
    tree = UnitTree(session)
    rows: dict[str, AdminUnit] = dict(known)
    created = updated = unchanged = 0
    entries: list[AuditEntry] = []
    issues: list[Issue] = []
    for code, plan in planned.items():  # parents were planned before their children
        row = plan.row
        parent = rows.get(row.parent_code) if row.parent_code else None
        name = qualified_name(row.name, row.kind.code)
        existing = known.get(code)
        if existing is not None:
            if existing.parent_id != (parent.id if parent else None):
                issues.append(Issue(MOVED_PARENT, {"code": code}, row.row, "ma_cap_tren"))
                continue
            changes = {}
            if existing.name != name:
                changes["name"] = [existing.name, name]
                existing.name = name
            if existing.kind != row.kind.code:
                changes["kind"] = [existing.kind, row.kind.code]
                existing.kind = row.kind.code
            if changes:
                updated += 1
                entries.append(AuditEntry("unit.updated", "admin_unit", str(existing.id), changes))
            else:
                unchanged += 1
            continue
        unit = await tree.child(parent, name, plan.level)
        if unit.official_code is not None and unit.official_code != code:
            issues.append(
                Issue(CODE_TAKEN, {"name": name, "code": unit.official_code}, row.row, "ma")
            )
            continue
        unit.official_code = code
        unit.kind = row.kind.code
        await session.flush()
        rows[code] = unit
        if unit.id in tree.created:
            created += 1
            entries.append(
                AuditEntry("unit.created", "admin_unit", str(unit.id), {"official_code": code})
            )
        else:
            updated += 1
            entries.append(
                AuditEntry("unit.updated", "admin_unit", str(unit.id), {"official_code": code})
            )
    if issues:
        raise ImportRejectedError(issues, _invalid(issues))
    await record_audit(session, actor, entries, now)
    return UnitImportSummary(created, updated, unchanged)


@dataclass(frozen=True)
class TreeLine:
    """One unit of a listed tree: its depth below the listed root, and the unit."""

    depth: int
    unit: Unit


async def unit_tree(
    session: AsyncSession, under: Unit | None, *, history: bool = False
) -> list[TreeLine]:
    """The units under ``under`` (itself included; every province when None), depth first,
    children by name. Former units are left out unless ``history``."""
    query = select(AdminUnit)
    if under is not None:
        query = query.where(AdminUnit.path.startswith(under.path))
    if not history:
        query = query.where(AdminUnit.valid_to.is_(None))
    rows = (await session.scalars(query)).all()
    children: dict[int | None, list[AdminUnit]] = {}
    ids = {row.id for row in rows}
    for row in rows:
        parent = row.parent_id if row.parent_id in ids else None
        children.setdefault(parent, []).append(row)
    lines: list[TreeLine] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in sorted(
            children.get(parent, []), key=lambda r: (r.valid_to is not None, r.name_key)
        ):
            lines.append(TreeLine(depth, as_unit(row)))
            walk(row.id, depth + 1)

    walk(None, 0)
    return lines
