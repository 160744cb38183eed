"""The support ledger: what each household received, when, how much and from whom.

A record names a catalogue policy or a programme in words. Recording support may close one of
the household's open follow-ups (the support solved that deprivation); the follow-up is closed
through :func:`storage.followups.report_followup`, so it is audited like a mentor's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.formatting import format_money
from poverty.i18n import N_
from poverty.policies import policy_by_code
from poverty.support_input import MAX_DESCRIPTION, MAX_QUANTITY, TEXT_TOO_LONG, policy_name
from storage.audit import Actor, AuditEntry, record_audit
from storage.followups import OPEN_STATES, report_followup
from storage.models import FollowUp, SupportRecord

MAX_PROVIDER = 120
UNKNOWN_POLICY_CODE = N_("Không có chính sách mã “{code}” trong danh mục.")
NO_POLICY = N_("Xin cho biết chính sách hoặc chương trình hỗ trợ.")
FOLLOWUP_NOT_OPEN = N_("Việc cần theo dõi này không còn mở cho hộ.")
PROVIDER_TOO_LONG = N_("Tên đơn vị hỗ trợ dài quá {max} ký tự.")
SOLVED_BY = N_("Đã giải quyết bằng hỗ trợ: {what}")


@dataclass(frozen=True)
class NewSupport:
    household_id: int
    given_on: date
    policy_code: str | None = None
    description: str | None = None
    amount: int | None = None
    quantity: str | None = None
    provider: str | None = None
    followup_id: int | None = None


def support_label(policy_code: str | None, description: str | None) -> str:
    """What was given, in words: the policy's name or the programme's."""
    return policy_name(policy_code) if policy_code else (description or "")


def _check(support: NewSupport) -> None:
    if support.policy_code is None and not support.description:
        raise InvalidInputError(NO_POLICY)
    if support.policy_code is not None and policy_by_code(support.policy_code) is None:
        raise InvalidInputError(UNKNOWN_POLICY_CODE, code=support.policy_code)
    if support.provider is not None and len(support.provider) > MAX_PROVIDER:
        raise InvalidInputError(PROVIDER_TOO_LONG, max=MAX_PROVIDER)
    if support.description is not None and len(support.description) > MAX_DESCRIPTION:
        raise InvalidInputError(TEXT_TOO_LONG, max=MAX_DESCRIPTION)
    if support.quantity is not None and len(support.quantity) > MAX_QUANTITY:
        raise InvalidInputError(TEXT_TOO_LONG, max=MAX_QUANTITY)


async def record_support(
    session: AsyncSession,
    support: NewSupport,
    actor: Actor,
    channel: str,
    now: datetime,
) -> int:
    """Store one support (and close the follow-up it solved); returns the record id."""
    _check(support)
    if support.followup_id is not None:
        followup = await session.get(FollowUp, support.followup_id)
        if (
            followup is None
            or followup.household_id != support.household_id
            or followup.state not in OPEN_STATES
        ):
            raise InvalidInputError(FOLLOWUP_NOT_OPEN)
    row = SupportRecord(
        household_id=support.household_id,
        policy_code=support.policy_code,
        description=support.description,
        given_on=support.given_on,
        amount=support.amount,
        quantity=support.quantity,
        provider=support.provider,
        followup_id=support.followup_id,
        user_id=actor.user_id,
        channel=channel,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    details: dict[str, object] = {
        "support_id": row.id,
        "policy_code": support.policy_code,
        "given_on": support.given_on.isoformat(),
        "amount": support.amount,
        "channel": channel,
    }
    if support.followup_id is not None:
        details["followup_id"] = support.followup_id
    await record_audit(
        session,
        actor,
        [AuditEntry("support.record", "household", str(support.household_id), details)],
        now,
    )
    if support.followup_id is not None:
        what = support_label(support.policy_code, support.description)
        if support.amount is not None:
            what = f"{what}, {format_money(support.amount)}"
        note = SOLVED_BY.format(what=what)[:300]
        await report_followup(session, support.followup_id, "done", note, actor, now)
    return row.id
