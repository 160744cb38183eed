"""People helping a poor household beside its responsible mentor.

The Cam Lộ directive's "2 better-off households help 1 poor household": a household can have
several helpers at once (better-off households, members of a mass organisation, cadres), each
with a period like a mentor assignment. Helpers are not users of the bot; reminders still go to
the one responsible mentor (:mod:`storage.mentors`). Audit rows name the household, the helper's
id and kind, never a name or a phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.support_plans import load_support_lists
from poverty.text import fold, normalize_phone
from storage.audit import Actor, AuditEntry, record_audit
from storage.mentors import BAD_PHONE, local_day, locked_household
from storage.models import Household, HouseholdHelper

MAX_NAME = 120
UNKNOWN_KIND = N_("Không có loại người giúp đỡ “{kind}”. Chọn một trong: {kinds}.")
NEEDS_ORGANISATION = N_("Hội viên đoàn thể cần ghi rõ đoàn thể (ví dụ: Hội Phụ nữ).")
UNKNOWN_ORGANISATION = N_("Không có đoàn thể “{text}”.")
BAD_NAME = N_("Tên người giúp đỡ cần từ 1 đến {max} ký tự.")
ALREADY_HELPING = N_("“{name}” đang giúp hộ {code} rồi.")
UNKNOWN_HELPER = N_("Không có người giúp đỡ số {id} đang giúp hộ nào.")


@dataclass(frozen=True)
class Helper:
    id: int
    household_code: str
    kind: str
    name: str
    phone: str | None
    organisation: str | None
    valid_from: date
    valid_to: date | None


async def add_helper(
    session: AsyncSession,
    household_code: str,
    kind: str,
    name: str,
    actor: Actor,
    now: datetime,
    *,
    tz: tzinfo,
    phone: str | None = None,
    organisation: str | None = None,
) -> int:
    """Record a helper of the household from today; returns the helper's id."""
    lists = load_support_lists()
    if lists.mentor_kind(kind) is None:
        kinds = ", ".join(k.code for k in lists.mentor_kinds)
        raise InvalidInputError(UNKNOWN_KIND, kind=kind, kinds=kinds)
    organisation_code = None
    if organisation:
        found = lists.organisation(organisation)
        if found is None:
            raise InvalidInputError(UNKNOWN_ORGANISATION, text=organisation)
        organisation_code = found.code
    elif kind == "doan_the":
        raise InvalidInputError(NEEDS_ORGANISATION)
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise InvalidInputError(BAD_NAME, max=MAX_NAME)
    normalized = None
    if phone:
        normalized = normalize_phone(phone)
        if normalized is None:
            raise InvalidInputError(BAD_PHONE, phone=phone)
    household = await locked_household(session, household_code)
    current = await session.scalars(
        select(HouseholdHelper.name).where(
            HouseholdHelper.household_id == household.id, HouseholdHelper.valid_to.is_(None)
        )
    )
    if any(fold(other) == fold(cleaned) for other in current):
        raise InvalidInputError(ALREADY_HELPING, name=cleaned, code=household.code)
    helper = HouseholdHelper(
        household_id=household.id,
        kind=kind,
        name=cleaned,
        phone=normalized,
        organisation=organisation_code,
        valid_from=local_day(now, tz),
    )
    session.add(helper)
    await session.flush()
    details = {"helper_id": helper.id, "kind": kind, "organisation": organisation_code}
    entry = AuditEntry("helper.add", "household", str(household.id), details)
    await record_audit(session, actor, [entry], now)
    return helper.id


async def end_helper(
    session: AsyncSession, helper_id: int, actor: Actor, now: datetime, *, tz: tzinfo
) -> str:
    """End a helper's period today; returns the household's code."""
    found = (
        await session.execute(
            select(HouseholdHelper, Household.code)
            .join(Household, Household.id == HouseholdHelper.household_id)
            .where(HouseholdHelper.id == helper_id, HouseholdHelper.valid_to.is_(None))
            .with_for_update()
        )
    ).first()
    if found is None:
        raise InvalidInputError(UNKNOWN_HELPER, id=helper_id)
    helper, code = found
    helper.valid_to = local_day(now, tz)
    details = {"helper_id": helper.id, "kind": helper.kind}
    entry = AuditEntry("helper.end", "household", str(helper.household_id), details)
    await record_audit(session, actor, [entry], now)
    return str(code)


async def list_helpers(
    session: AsyncSession, *, household_code: str | None = None, with_history: bool = False
) -> list[Helper]:
    """Helpers ordered by household code, then start date; current ones only by default."""
    query = (
        select(HouseholdHelper, Household.code)
        .join(Household, Household.id == HouseholdHelper.household_id)
        .order_by(Household.code, HouseholdHelper.valid_from, HouseholdHelper.id)
    )
    if not with_history:
        query = query.where(HouseholdHelper.valid_to.is_(None))
    if household_code is not None:
        query = query.where(Household.code == household_code.strip())
    return [
        Helper(h.id, code, h.kind, h.name, h.phone, h.organisation, h.valid_from, h.valid_to)
        for h, code in await session.execute(query)
    ]
