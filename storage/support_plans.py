"""Support plans of households: group, causes, escape target year, ethnic group and people with
merit, and the kind of the current mentor.

Every change is checked against ``poverty/support_plans.yaml`` before anything is written, and
leaves one audit row listing the fields it changed (codes and years, never a name or a phone).
Households are always looked up inside the caller's area
(:func:`storage.access.households_in_scope`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.support_plans import SupportLists, load_support_lists
from storage.access import Access, households_in_scope
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import Household, HouseholdPlan, MentorAssignment

POOR_OR_NEAR_POOR = ("ngheo", "can_ngheo")
PLAN_FIELDS = (
    "group_code",
    "causes",
    "cause_note",
    "target_year",
    "ethnic_group",
    "merit_categories",
)
MAX_NOTE = 300
MAX_ETHNIC = 60
TARGET_YEARS = (2000, 2100)

HOUSEHOLD_NOT_IN_AREA = N_("Không tìm thấy hộ mã “{code}” trong địa bàn của anh/chị.")
NOT_POOR = N_("Hộ {code} không thuộc danh sách hộ nghèo, cận nghèo nên chưa lập kế hoạch nhóm.")
UNKNOWN_GROUP = N_("Không có nhóm “{value}”; chỉ có: {accepted}.")
UNKNOWN_CAUSE = N_("Không có nguyên nhân “{value}”; chỉ có: {accepted}.")
UNKNOWN_MERIT = N_("Không có diện người có công “{value}”; chỉ có: {accepted}.")
NOTE_NEEDED = N_("Đã chọn “{cause}”: xin ghi chú ngắn nguyên nhân đó.")
NOTE_TOO_LONG = N_("Ghi chú dài quá {max} ký tự.")
TARGET_ONLY_POOR = N_("Chỉ đặt năm phấn đấu thoát nghèo cho hộ nghèo.")
TARGET_OUT_OF_RANGE = N_("Năm phấn đấu {year} không hợp lệ.")
UNKNOWN_ORGANISATION = N_("Không có đoàn thể “{value}”; chỉ nhận: {accepted}.")
UNKNOWN_MENTOR_KIND = N_("Không có loại người đỡ đầu “{value}”; chỉ nhận: {accepted}.")
ORGANISATION_NEEDED = N_("Người đỡ đầu là hội viên, đoàn viên: xin cho biết đoàn thể nào.")
NO_MENTOR = N_("Hộ {code} chưa có người đỡ đầu; xin giao người đỡ đầu trước.")


@dataclass(frozen=True)
class FoundHousehold:
    id: int
    code: str
    head_name: str
    official_status: str | None


async def household_in_area(session: AsyncSession, access: Access, code: str) -> FoundHousehold:
    """The household with ``code`` if the user's grants cover it; else InvalidInputError (the
    same message as for a code that does not exist, so nothing outside the area is revealed)."""
    cleaned = " ".join(code.split())[:40]
    row = (
        await session.execute(
            select(
                Household.id, Household.code, Household.head_name, Household.official_status
            ).where(households_in_scope(access), Household.code.in_({cleaned, cleaned.upper()}))
        )
    ).first()
    if row is None:
        raise InvalidInputError(HOUSEHOLD_NOT_IN_AREA, code=cleaned)
    return FoundHousehold(*row)


def check_plan(
    changes: Mapping[str, Any],
    status: str | None,
    lists: SupportLists | None = None,
    *,
    code: str = "",
) -> dict[str, Any]:
    """The changes cleaned and checked against the lists; InvalidInputError on the first
    problem. Group and causes are for poor and near-poor households only."""
    lists = lists or load_support_lists()
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in PLAN_FIELDS:
            raise KeyError(key)
        clean[key] = value
    group = clean.get("group_code")
    if group is not None and lists.group(group) is None:
        accepted = ", ".join(g.code for g in lists.groups)
        raise InvalidInputError(UNKNOWN_GROUP, value=group, accepted=accepted)
    causes = clean.get("causes")
    if causes is not None:
        for cause in causes:
            if lists.cause(cause) is None:
                accepted = ", ".join(c.code for c in lists.causes)
                raise InvalidInputError(UNKNOWN_CAUSE, value=cause, accepted=accepted)
        clean["causes"] = sorted(set(causes), key=[c.code for c in lists.causes].index)
        note = clean.get("cause_note")
        for cause in clean["causes"]:
            found = lists.cause(cause)
            if found is not None and found.needs_note and not note:
                raise InvalidInputError(NOTE_NEEDED, cause=found.name)
    note = clean.get("cause_note")
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInputError(NOTE_TOO_LONG, max=MAX_NOTE)
    if (group is not None or causes) and status not in POOR_OR_NEAR_POOR:
        raise InvalidInputError(NOT_POOR, code=code)
    target = clean.get("target_year")
    if target is not None:
        if status != "ngheo":
            raise InvalidInputError(TARGET_ONLY_POOR)
        if not TARGET_YEARS[0] <= target <= TARGET_YEARS[1]:
            raise InvalidInputError(TARGET_OUT_OF_RANGE, year=target)
    merits = clean.get("merit_categories")
    if merits is not None:
        for merit in merits:
            if lists.merit(merit) is None:
                accepted = ", ".join(m.code for m in lists.merit_categories)
                raise InvalidInputError(UNKNOWN_MERIT, value=merit, accepted=accepted)
        clean["merit_categories"] = sorted(set(merits))
    ethnic = clean.get("ethnic_group")
    if ethnic is not None:
        clean["ethnic_group"] = " ".join(str(ethnic).split())[:MAX_ETHNIC] or None
    return clean


async def save_plan(
    session: AsyncSession,
    household_id: int,
    changes: Mapping[str, Any],
    actor: Actor,
    now: datetime,
) -> list[str]:
    """Apply already checked ``changes``; returns the names of the fields that changed (none:
    nothing written, no audit row)."""
    plan = await session.scalar(
        select(HouseholdPlan).where(HouseholdPlan.household_id == household_id).with_for_update()
    )
    if plan is None:
        plan = HouseholdPlan(
            household_id=household_id, causes=[], merit_categories=[], updated_at=now
        )
        session.add(plan)
    changed = [key for key, value in changes.items() if getattr(plan, key) != value]
    if not changed:
        return []
    for key in changed:
        setattr(plan, key, changes[key])
    plan.updated_at = now
    plan.updated_by_user_id = actor.user_id
    await session.flush()
    details = {key: changes[key] for key in changed if key != "cause_note"}
    if "cause_note" in changed:
        details["cause_note_changed"] = True
    await record_audit(
        session, actor, [AuditEntry("plan.update", "household", str(household_id), details)], now
    )
    return changed


def check_mentor_kind(
    kind: str, organisation: str | None, lists: SupportLists | None = None
) -> tuple[str, str | None]:
    """The mentor kind code and the organisation code (for ``doan_the``), read from words."""
    lists = lists or load_support_lists()
    if lists.mentor_kind(kind) is None:
        accepted = ", ".join(k.code for k in lists.mentor_kinds)
        raise InvalidInputError(UNKNOWN_MENTOR_KIND, value=kind, accepted=accepted)
    if kind != "doan_the":
        return kind, None
    if not organisation:
        raise InvalidInputError(ORGANISATION_NEEDED)
    found = lists.organisation(organisation)
    if found is None:
        accepted = ", ".join(o.name for o in lists.organisations)
        raise InvalidInputError(UNKNOWN_ORGANISATION, value=organisation[:40], accepted=accepted)
    return kind, found.code


async def set_mentor_kind(
    session: AsyncSession,
    household: FoundHousehold,
    kind: str,
    organisation: str | None,
    actor: Actor,
    now: datetime,
) -> bool:
    """Record what kind of mentor the household's current mentor is; False if unchanged."""
    row = await session.scalar(
        select(MentorAssignment)
        .where(MentorAssignment.household_id == household.id, MentorAssignment.valid_to.is_(None))
        .with_for_update()
    )
    if row is None:
        raise InvalidInputError(NO_MENTOR, code=household.code)
    if (row.mentor_kind, row.organisation) == (kind, organisation):
        return False
    row.mentor_kind, row.organisation = kind, organisation
    await session.flush()
    details = {"mentor_user_id": row.mentor_user_id, "kind": kind, "organisation": organisation}
    await record_audit(
        session, actor, [AuditEntry("mentor.kind", "household", str(household.id), details)], now
    )
    return True
