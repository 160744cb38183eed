"""Saving a household check: a new ``assessments`` row, the household's link to its latest
check, an audit row, and the follow-ups it opens or closes (a check without a conclusion opens
one to complete it). The official status is never touched here: it changes only through
the commune's approved list (import), so the two can be compared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.followups import Evidence, evidence_of
from poverty.i18n import N_
from storage.audit import Actor, AuditEntry, record_audit
from storage.followups import sync_check_completion, sync_followups
from storage.models import Assessment, Household

HOUSEHOLD_GONE = N_("Không tìm thấy hộ này nữa; kết quả chưa được lưu.")


@dataclass(frozen=True)
class NewAssessment:
    household_id: int
    standard_id: str
    area: str
    answers: dict[str, Any]
    income_per_person: int | None
    deprived_mask: int
    known_mask: int
    computed_class: str | None
    user_id: int | None
    channel: str
    applies_year: int | None = None
    """The year the result applies to; None: the year of the check (Vietnam's calendar)."""


async def save_assessment(
    session: AsyncSession, new: NewAssessment, actor: Actor, now: datetime, *, tz: tzinfo
) -> int:
    """Write the assessment and link it as the household's latest; returns its id. ``tz`` is
    the people's time zone (the year a result applies to, follow-ups' due dates)."""
    household = await session.get(Household, new.household_id, with_for_update=True)
    if household is None:
        raise InvalidInputError(HOUSEHOLD_GONE)
    assessment = Assessment(
        household_id=household.id,
        province_id=household.province_id,
        standard_id=new.standard_id,
        area=new.area,
        answers=new.answers,
        income_per_person=new.income_per_person,
        deprived_mask=new.deprived_mask,
        known_mask=new.known_mask,
        computed_class=new.computed_class,
        user_id=new.user_id,
        channel=new.channel,
        created_at=now,
        applies_year=new.applies_year or now.astimezone(tz).year,
    )
    session.add(assessment)
    await session.flush()
    household.latest_assessment_id = assessment.id
    household.latest_class = new.computed_class
    household.updated_at = now
    details = {
        "assessment_id": assessment.id,
        "standard_id": new.standard_id,
        "computed_class": new.computed_class,
        "channel": new.channel,
        "applies_year": assessment.applies_year,
    }
    await record_audit(
        session,
        actor,
        [AuditEntry("assessment.create", "household", str(household.id), details)],
        now,
    )
    await sync_followups(
        session,
        [household.id],
        now,
        actor,
        tz=tz,
        evidence={household.id: _evidence(household, new)},
    )
    concluded = new.computed_class is not None
    await sync_check_completion(
        session, household.id, concluded=concluded, now=now, actor=actor, tz=tz
    )
    return assessment.id


def _evidence(household: Household, new: NewAssessment) -> Evidence:
    """The household's latest evidence is the check just saved (what
    :func:`storage.followups.household_evidence` would read back)."""
    return evidence_of(
        household.official_status, new.computed_class, new.deprived_mask, new.known_mask
    )
