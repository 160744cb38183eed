"""Applying a reorganisation of units (the 2025 merges, or any later one) in one transaction.

Each row of the file names a former unit and the unit that takes it over:

- a commune into a commune, a village into a village, a province into a province: the former
  unit's villages (or communes), households, role grants and invites go to the new unit, and
  the former unit is closed (``valid_to`` the effective date, ``replaced_by_id`` the new unit);
  it is kept, so older years can still be reported as they were;
- a village into a commune: the village moves there and stays current.

Mentor assignments, follow-ups and support plans belong to households and go with them. A
district left with no current unit below it is closed too. Every moved record gets an audit row.
The new unit is created when missing, with the kind its level word gives.

A file is checked as a whole first: an unknown or ambiguous unit, a unit mapped to two places,
a cycle, a level that cannot take the unit, or a village whose name is already taken in its new
commune is refused with the row, and nothing changes. Rows already applied are left alone, so
running the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import AppError, InvalidInputError, NotFoundError
from poverty.formatting import format_date
from poverty.i18n import N_
from poverty.import_issues import ImportRejectedError, Issue
from poverty.text import without_nul
from poverty.unit_names import kind_fits, kind_of_name, parse_unit_name, qualified_name
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import (
    AdminUnit,
    FollowUp,
    Household,
    HouseholdPlan,
    Invite,
    MentorAssignment,
    RoleGrant,
)
from storage.unit_moves import follow_records, replace_household_placements
from storage.units import (
    PATH_SEPARATORS,
    AmbiguousUnitError,
    as_unit,
    find_unit,
    unit_reference,
)

Operation = Literal["merge", "move"]
OPEN_FOLLOWUP_STATES = ("open", "in_progress", "blocked")
DEPTH = {"province": 0, "district": 1, "commune": 2, "village": 3}

NO_DISTRICT_ROWS = N_(
    "Không cần ghi huyện: huyện tự đóng khi không còn xã nào thuộc huyện sau khi sắp xếp."
)
LEVELS_DO_NOT_FIT = N_("Không thể chuyển “{old}” vào “{new}”: hai đơn vị không cùng cấp.")
ALREADY_MERGED = N_("“{old}” đã được sáp nhập vào “{new}” từ ngày {date}.")
TARGET_FORMER = N_("“{new}” không còn là đơn vị hành chính từ ngày {date}.")
TWO_PLACES = N_("“{old}” được ghi vào hai nơi khác nhau (dòng {rows}).")
CYCLE = N_("Các dòng {rows} tạo thành vòng: đơn vị cũ lại là đơn vị mới của nhau.")
NAME_TAKEN = N_(
    "“{new}” đã có “{child}”; hãy ghi riêng một dòng để chuyển “{child}” của “{old}” sang tên khác."
)
SAME_UNIT = N_("Đơn vị cũ và đơn vị mới là một.")


@dataclass(frozen=True)
class ReorganisationRow:
    row: int
    old: str
    new: str
    effective: date


@dataclass(frozen=True)
class Move:
    """What one row moved (or would move)."""

    row: int
    operation: Operation
    old: str
    new: str
    created: bool
    effective: date
    villages: int = 0
    households: int = 0
    grants: int = 0
    invites: int = 0
    assignments: int = 0
    followups: int = 0
    plans: int = 0


@dataclass(frozen=True)
class ReorganisationResult:
    moves: tuple[Move, ...]
    closed: tuple[str, ...]
    """Districts closed because no current unit was left below them."""
    unchanged_rows: tuple[int, ...]
    """Rows already applied by an earlier run."""


@dataclass
class _NewUnit:
    parent: AdminUnit | _NewUnit | None
    name: str
    kind: str
    level: str
    key: str
    row: AdminUnit | None = None


@dataclass
class _Step:
    line: ReorganisationRow
    old: AdminUnit
    target: AdminUnit | _NewUnit
    operation: Operation
    skip: bool = False


NewUnits = dict[tuple[str, int, str, str, str], _NewUnit]


async def reorganise(
    session: AsyncSession,
    rows: Sequence[ReorganisationRow],
    actor: Actor,
    now: datetime,
    *,
    file_errors: Sequence[Issue] = (),
) -> ReorganisationResult:
    """Check and apply ``rows`` in the session's transaction (the caller commits, or rolls back
    for a dry run). Raises :class:`ImportRejectedError` with every refused row; the caller's
    transaction must then be rolled back, as it is when the exception leaves ``session.begin()``.
    """
    issues: list[Issue] = list(file_errors)  # cells that could not be read, reported together
    steps: list[_Step] = []
    new_units: NewUnits = {}
    later: list[ReorganisationRow] = []
    for line in rows:  # a new unit may be named as the parent of another before its own row
        step = await _plan(session, line, new_units, issues, retry=later)
        if step is not None:
            steps.append(step)
    for line in later:
        step = await _plan(session, line, new_units, issues)
        if step is not None:
            steps.append(step)
    _check_two_places(steps, issues)
    _check_cycles(steps, issues)
    if issues:
        raise ImportRejectedError(_sorted(issues), len({i.row for i in issues}))

    entries: list[AuditEntry] = []
    moves: list[Move] = []
    emptied: dict[int, date] = {}
    for step in _ordered(steps):
        if step.skip:
            continue
        move = await _apply(session, step, entries, emptied, issues)
        if move is not None:
            moves.append(move)
    if not issues:
        await follow_records(session, [s.old for s in steps if not s.skip])
    closed = await _close_empty_districts(session, emptied, entries)
    if issues:
        raise ImportRejectedError(_sorted(issues), len({i.row for i in issues}))
    await record_audit(session, actor, entries, now)
    unchanged = tuple(step.line.row for step in steps if step.skip)
    return ReorganisationResult(tuple(moves), tuple(closed), unchanged)


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: i.row or 0)


async def _plan(
    session: AsyncSession,
    line: ReorganisationRow,
    new_units: NewUnits,
    issues: list[Issue],
    *,
    retry: list[ReorganisationRow] | None = None,
) -> _Step | None:
    try:
        old_unit = await find_unit(session, line.old)
    except AppError as error:
        issues.append(Issue(error.message, error.params, line.row, "don_vi_cu"))
        return None
    old = await session.get(AdminUnit, old_unit.id)
    assert old is not None
    if old.level == "district":
        issues.append(Issue(NO_DISTRICT_ROWS, {}, line.row, "don_vi_cu"))
        return None
    try:
        target = await _target(session, line.new, old, new_units)
    except AppError as error:
        if retry is not None and type(error) is NotFoundError:
            retry.append(line)
            return None
        issues.append(Issue(error.message, error.params, line.row, "don_vi_moi"))
        return None
    target_level = target.level
    if old.level == "village" and target_level == "commune":
        operation: Operation = "move"
    elif old.level == target_level:
        operation = "merge"
    else:
        issues.append(
            Issue(
                LEVELS_DO_NOT_FIT,
                {"old": line.old, "new": line.new},
                line.row,
                "don_vi_moi",
            )
        )
        return None
    step = _Step(line, old, target, operation)
    if isinstance(target, AdminUnit):
        if target.id == old.id:
            issues.append(Issue(SAME_UNIT, {}, line.row, "don_vi_moi"))
            return None
        if target.valid_to is not None and target.id != old.replaced_by_id:
            reference = await unit_reference(session, as_unit(target))
            issues.append(
                Issue(
                    TARGET_FORMER,
                    {"new": reference, "date": format_date(target.valid_to)},
                    line.row,
                    "don_vi_moi",
                )
            )
            return None
        if operation == "move" and old.parent_id == target.id:
            step.skip = True
    if old.valid_to is not None:
        if isinstance(target, AdminUnit) and old.replaced_by_id == target.id:
            step.skip = True
        else:
            replaced = await session.get(AdminUnit, old.replaced_by_id or old.id)
            assert replaced is not None
            issues.append(
                Issue(
                    ALREADY_MERGED,
                    {
                        "old": line.old,
                        "new": await unit_reference(session, as_unit(replaced)),
                        "date": format_date(old.valid_to),
                    },
                    line.row,
                    "don_vi_cu",
                )
            )
            return None
    return step


async def _target(
    session: AsyncSession, text: str, old: AdminUnit, new_units: NewUnits
) -> AdminUnit | _NewUnit:
    """The unit ``text`` names as the new one: a unit found by its code, its name or its path,
    else a unit to create under the parent the path names (for a bare name, under the former
    unit's province), with the kind its level word gives; a parent may itself be a unit that
    an earlier row creates."""
    text = " ".join(without_nul(text).split())
    by_code = await session.scalar(
        select(AdminUnit).where((AdminUnit.official_code == text) | (AdminUnit.code == text))
    )
    if by_code is not None:
        return by_code
    parts = [text]
    for separator in PATH_SEPARATORS:
        if separator in text:
            parts = [p.strip() for p in text.split(separator) if p.strip()]
            break
    parent: AdminUnit | _NewUnit | None
    if len(parts) == 1:
        try:
            found = await find_unit(session, text)
        except AmbiguousUnitError:
            raise
        except NotFoundError:
            pass
        else:
            row = await session.get(AdminUnit, found.id)
            assert row is not None
            return row
        if old.level == "province":
            parent = None
        else:
            parent = await session.get(AdminUnit, int(old.path.strip("/").split("/")[0]))
    else:
        parent = await _parent(session, parts[:-1], new_units)
    name = parse_unit_name(parts[-1])
    depth = DEPTH[parent.level] if parent is not None else -1
    below = [
        level for level in (name.kind.levels if name.kind else (old.level,)) if DEPTH[level] > depth
    ]
    if not below:
        raise InvalidInputError(LEVELS_DO_NOT_FIT, old=old.name, new=text)
    level = below[0]
    if not isinstance(parent, _NewUnit):
        siblings = (
            await session.scalars(
                select(AdminUnit).where(
                    AdminUnit.parent_id.is_(None)
                    if parent is None
                    else AdminUnit.parent_id == parent.id,
                    AdminUnit.name_key == name.key,
                    AdminUnit.level == level,
                )
            )
        ).all()
        fitting = [
            s
            for s in siblings
            if name.kind is None or kind_fits(name.kind, s.kind or kind_of_name(s.name), s.level)
        ]
        fitting.sort(key=lambda s: s.valid_to is not None)
        if fitting:
            return fitting[0]
    kind = name.kind.code if name.kind else (old.kind or kind_of_name(old.name))
    key = (*_identity(parent), level, kind, name.key)
    if key not in new_units:
        new_units[key] = _NewUnit(parent, qualified_name(parts[-1], kind), kind, level, name.key)
    return new_units[key]


def _identity(unit: AdminUnit | _NewUnit | None) -> tuple[str, int]:
    if unit is None:
        return ("none", 0)
    if isinstance(unit, AdminUnit):
        return ("unit", unit.id)
    return ("new", id(unit))


async def _parent(
    session: AsyncSession, parts: list[str], new_units: NewUnits
) -> AdminUnit | _NewUnit:
    """The unit a path's first parts name, or a unit an earlier row creates."""
    try:
        found = await find_unit(session, f" {PATH_SEPARATORS[0]} ".join(parts))
    except AmbiguousUnitError:
        raise
    except NotFoundError:
        name = parse_unit_name(parts[-1])
        planned = [
            unit
            for unit in new_units.values()
            if unit.key == name.key and (name.kind is None or unit.kind == name.kind.code)
        ]
        if len(planned) == 1:
            return planned[0]
        raise
    row = await session.get(AdminUnit, found.id)
    assert row is not None
    return row


def _check_two_places(steps: list[_Step], issues: list[Issue]) -> None:
    by_old: dict[int, list[_Step]] = {}
    for step in steps:
        by_old.setdefault(step.old.id, []).append(step)
    for same in by_old.values():
        if len({_target_key(s.target) for s in same}) > 1:
            rows = ", ".join(str(s.line.row) for s in same)
            for s in same:
                issues.append(
                    Issue(TWO_PLACES, {"old": s.line.old, "rows": rows}, s.line.row, "don_vi_cu")
                )
        for duplicate in same[1:]:  # the same line twice: done once
            if _target_key(duplicate.target) == _target_key(same[0].target):
                duplicate.skip = True


def _target_key(target: AdminUnit | _NewUnit) -> tuple[str, int]:
    """Equal for rows naming the same new unit (a unit to create is planned once per name)."""
    return _identity(target)


def _check_cycles(steps: list[_Step], issues: list[Issue]) -> None:
    edges = {
        s.old.id: (s.target.id, s) for s in steps if isinstance(s.target, AdminUnit) and not s.skip
    }
    reported: set[int] = set()
    for start in edges:
        seen: list[int] = []
        node: int | None = start
        while node in edges and node not in seen:
            seen.append(node)
            node = edges[node][0]
        if node == start and start not in reported:
            cycle = [edges[n][1] for n in seen]
            rows = ", ".join(str(s.line.row) for s in cycle)
            for s in cycle:
                reported.add(s.old.id)
                issues.append(Issue(CYCLE, {"rows": rows}, s.line.row, "don_vi_moi"))


def _ordered(steps: list[_Step]) -> list[_Step]:
    """Villages first (so a village listed on its own line leaves before its commune merges),
    then communes, then provinces; a row whose new unit is another row's former unit goes
    before that row, so what it brings travels on."""
    remaining = sorted(steps, key=lambda s: -DEPTH[s.old.level])
    ordered: list[_Step] = []
    while remaining:
        for step in remaining:
            waits = any(
                isinstance(other.target, AdminUnit) and other.target.id == step.old.id
                for other in remaining
                if other is not step
            )
            if not waits:
                break
        else:  # cycles were refused before; keep the file's order if one slipped through
            step = remaining[0]
        ordered.append(step)
        remaining.remove(step)
    return ordered


async def _ensure(
    session: AsyncSession, new: _NewUnit, effective: date, entries: list[AuditEntry]
) -> AdminUnit:
    """The row of a planned unit, created (with its planned parents) the first time."""
    if new.row is not None:
        return new.row
    parent = new.parent
    if isinstance(parent, _NewUnit):
        parent = await _ensure(session, parent, effective, entries)
    prefix = f"{parent.code}/" if parent else ""
    code = f"{prefix}{new.key}_{new.kind or new.level}".replace(" ", "_")
    candidate, number = code, 1
    while await session.scalar(select(AdminUnit.id).where(AdminUnit.code == candidate)):
        number += 1
        candidate = f"{code}-{number}"
    row = AdminUnit(
        code=candidate,
        name=new.name,
        name_key=new.key,
        level=new.level,
        kind=new.kind,
        parent_id=parent.id if parent else None,
        path="",
        urban=False,
        valid_from=effective,
    )
    session.add(row)
    await session.flush()
    row.path = f"{parent.path if parent else '/'}{row.id}/"
    await session.flush()
    new.row = row
    entries.append(AuditEntry("unit.created", "admin_unit", str(row.id), {"name": row.name}))
    return row


async def _apply(
    session: AsyncSession,
    step: _Step,
    entries: list[AuditEntry],
    emptied: dict[int, date],
    issues: list[Issue],
) -> Move | None:
    created = isinstance(step.target, _NewUnit) and step.target.row is None
    if isinstance(step.target, _NewUnit):
        target = await _ensure(session, step.target, step.line.effective, entries)
    else:
        target = step.target
    old = step.old
    old_reference = await unit_reference(session, as_unit(old))
    counts = await _counts(session, old)
    villages = 0
    if step.operation == "move":
        if not await _free_name(session, old, target, step, issues):
            return None
        await _reparent(session, old, target)
        entries.append(
            AuditEntry(
                "unit.moved", "admin_unit", str(old.id), {"from": old.parent_id, "to": target.id}
            )
        )
        _note_emptied(emptied, old.parent_id, step.line.effective)
    else:
        children = (
            await session.scalars(
                select(AdminUnit).where(AdminUnit.parent_id == old.id, AdminUnit.valid_to.is_(None))
            )
        ).all()
        for child in children:
            if not await _free_name(session, child, target, step, issues):
                continue
            previous = child.parent_id
            await _reparent(session, child, target)
            villages += 1
            entries.append(
                AuditEntry(
                    "unit.moved", "admin_unit", str(child.id), {"from": previous, "to": target.id}
                )
            )
        await _move_direct_records(session, old, target, entries)
        old.valid_to = step.line.effective
        old.replaced_by_id = target.id
        entries.append(
            AuditEntry(
                "unit.closed",
                "admin_unit",
                str(old.id),
                {"replaced_by": target.id, "valid_to": step.line.effective.isoformat()},
            )
        )
        _note_emptied(emptied, old.parent_id, step.line.effective)
    await session.flush()
    await replace_household_placements(session, target, entries, old.id)
    return Move(
        row=step.line.row,
        operation=step.operation,
        old=old_reference,
        new=await unit_reference(session, as_unit(target)),
        created=created,
        effective=step.line.effective,
        villages=villages,
        **counts,
    )


def _note_emptied(emptied: dict[int, date], parent_id: int | None, effective: date) -> None:
    if parent_id is not None:
        emptied[parent_id] = max(effective, emptied.get(parent_id, effective))


async def _free_name(
    session: AsyncSession, unit: AdminUnit, target: AdminUnit, step: _Step, issues: list[Issue]
) -> bool:
    """Whether ``target`` has no current child of ``unit``'s level, kind and name."""
    taken = await session.scalar(
        select(AdminUnit.id).where(
            AdminUnit.parent_id == target.id,
            AdminUnit.level == unit.level,
            AdminUnit.kind == unit.kind,
            AdminUnit.name_key == unit.name_key,
            AdminUnit.id != unit.id,
        )
    )
    if taken is None:
        return True
    issues.append(
        Issue(
            NAME_TAKEN,
            {
                "new": await unit_reference(session, as_unit(target)),
                "child": qualified_name(unit.name, unit.kind),
                "old": step.line.old,
            },
            step.line.row,
            "don_vi_moi",
        )
    )
    return False


async def _counts(session: AsyncSession, old: AdminUnit) -> dict[str, int]:
    """What goes with the former unit: its households and what belongs to them, its grants
    and unused invites."""
    in_unit = (
        select(Household.id)
        .join(AdminUnit, AdminUnit.id == Household.unit_id)
        .where(AdminUnit.path.startswith(old.path))
    )

    async def count(statement: Select[int]) -> int:
        return int(await session.scalar(statement) or 0)

    return {
        "households": await count(select(func.count()).select_from(in_unit.subquery())),
        "grants": await count(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.unit_id == old.id, RoleGrant.revoked_at.is_(None))
        ),
        "invites": await count(
            select(func.count())
            .select_from(Invite)
            .where(Invite.unit_id == old.id, Invite.used_at.is_(None))
        ),
        "assignments": await count(
            select(func.count())
            .select_from(MentorAssignment)
            .where(MentorAssignment.household_id.in_(in_unit), MentorAssignment.valid_to.is_(None))
        ),
        "followups": await count(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.household_id.in_(in_unit), FollowUp.state.in_(OPEN_FOLLOWUP_STATES))
        ),
        "plans": await count(
            select(func.count())
            .select_from(HouseholdPlan)
            .where(HouseholdPlan.household_id.in_(in_unit))
        ),
    }


async def _reparent(session: AsyncSession, unit: AdminUnit, parent: AdminUnit) -> None:
    old_path = unit.path
    new_path = f"{parent.path}{unit.id}/"
    subtree = (
        await session.scalars(select(AdminUnit).where(AdminUnit.path.startswith(old_path)))
    ).all()
    for row in subtree:
        row.path = new_path + row.path[len(old_path) :]
    unit.parent_id = parent.id
    await session.flush()


async def _move_direct_records(
    session: AsyncSession, old: AdminUnit, target: AdminUnit, entries: list[AuditEntry]
) -> None:
    """Households placed on the former unit itself, its role grants and unused invites."""
    moved = (await session.scalars(select(Household.id).where(Household.unit_id == old.id))).all()
    if moved:
        await session.execute(
            update(Household)
            .where(Household.unit_id == old.id)
            .values(unit_id=target.id)
            .execution_options(synchronize_session=False)
        )
    for table, entity, condition in (
        (RoleGrant, "role_grant", RoleGrant.revoked_at.is_(None)),
        (Invite, "invite", Invite.used_at.is_(None)),
    ):
        ids = (
            await session.scalars(select(table.id).where(table.unit_id == old.id, condition))
        ).all()
        if ids:
            await session.execute(
                update(table)
                .where(table.id.in_(ids))
                .values(unit_id=target.id)
                .execution_options(synchronize_session=False)
            )
        entries.extend(
            AuditEntry("unit.reassigned", entity, str(i), {"from": old.id, "to": target.id})
            for i in ids
        )


async def _close_empty_districts(
    session: AsyncSession, emptied: dict[int, date], entries: list[AuditEntry]
) -> list[str]:
    closed: list[str] = []
    for unit_id, effective in emptied.items():
        unit = await session.get(AdminUnit, unit_id)
        if unit is None or unit.level != "district" or unit.valid_to is not None:
            continue
        current_child = await session.scalar(
            select(AdminUnit.id).where(AdminUnit.parent_id == unit.id, AdminUnit.valid_to.is_(None))
        )
        if current_child is not None:
            continue
        unit.valid_to = effective
        entries.append(
            AuditEntry(
                "unit.closed", "admin_unit", str(unit.id), {"valid_to": effective.isoformat()}
            )
        )
        closed.append(await unit_reference(session, as_unit(unit)))
    await session.flush()
    return closed
