"""Planning reminders: one digest per mentor, repeats, escalation, report reminders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.calendar import FollowUpSettings, load_calendar
from scheduler.tick import plan_all, tick
from storage.audit import Actor
from storage.followups import open_followups, report_followup, sync_followups
from storage.households import HouseholdRow, save_households
from storage.mentors import assign_mentor
from storage.models import AdminUnit, Household, Identity, OutboxMessage, RoleGrant, User
from storage.reporting import reporting_units, submit_report
from tests.conftest import PEOPLE_TZ

ACTOR = Actor("test")
Sessions = async_sessionmaker[AsyncSession]
CALENDAR = replace(load_calendar(timezone=PEOPLE_TZ.key), followups=FollowUpSettings(30, 3, 7))
"""Reminders start 30 days before the due date, so every new follow-up is in the first digest."""
MENTOR_PHONE = "0912345678"


@dataclass
class Seeded:
    commune_id: int
    mentor_id: int
    manager_id: int
    cadre_id: int


async def person(session: AsyncSession, name: str, chat: str | None, now: datetime) -> int:
    user = User(name=name, phone=None, created_at=now)
    session.add(user)
    await session.flush()
    if chat:
        session.add(Identity(user_id=user.id, channel="telegram", external_id=chat, created_at=now))
    return user.id


async def seed(sessions: Sessions, now: datetime) -> Seeded:
    rows = [
        HouseholdRow(
            code=f"H{i}",
            head_name=f"Chủ hộ {i}",
            province="Quảng Trị",
            commune="Cam Tuyền",
            members=4,
            status="ngheo",
            poor_group="chinh_sach_giam_ngheo",
            year=2026,
            deprivations={"bhyt": True, "viec_lam": i == 1},
        )
        for i in (1, 2)
    ]
    async with sessions() as session, session.begin():
        await save_households(session, rows, ACTOR, now, default_year=2026, tz=PEOPLE_TZ)
        ids = list(await session.scalars(select(Household.id)))
        await sync_followups(session, ids, now, ACTOR, tz=PEOPLE_TZ)
        for code in ("H1", "H2"):
            await assign_mentor(session, code, MENTOR_PHONE, ACTOR, now, tz=PEOPLE_TZ)
        mentor = await session.scalar(select(User.id).where(User.phone == "+84912345678"))
        assert mentor is not None
        session.add(Identity(user_id=mentor, channel="telegram", external_id="501", created_at=now))
        commune = await session.scalar(select(AdminUnit.id).where(AdminUnit.level == "commune"))
        assert commune is not None
        manager = await person(session, "Lãnh đạo xã", "601", now)
        cadre = await person(session, "Cán bộ xã", "701", now)
        for user, role in ((manager, "manager"), (cadre, "cadre")):
            session.add(RoleGrant(user_id=user, role=role, unit_id=commune, granted_at=now))
    return Seeded(commune, mentor, manager, cadre)


async def outbox(sessions: Sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def plan(sessions: Sessions, now: datetime) -> None:
    async with sessions() as session, session.begin():
        await plan_all(session, CALENDAR, now)


async def test_mentor_gets_one_digest_for_all_households(sessions: Sessions, now: datetime) -> None:
    seeded = await seed(sessions, now)
    await plan(sessions, now)
    (digest,) = await outbox(sessions)
    assert digest.idempotency_key == f"digest:mentor:{seeded.mentor_id}:2026-11-23"
    assert (digest.channel, digest.external_id) == ("telegram", "501")
    lines = digest.text.splitlines()
    assert lines[0] == "Nhắc việc đỡ đầu ngày 23/11/2026: 2 hộ, 3 việc."
    assert "1. Hộ H1 – Chủ hộ 1" in lines
    assert any(line.startswith("• ") and "hạn 08/12/2026" in line for line in lines)
    assert "báo cáo việc" in lines[-1]
    # queued for 08:00 in Vietnam (01:00 UTC) — already past at 10:00 local, so now
    assert digest.next_try_at == now


async def test_planning_twice_the_same_day_queues_nothing_more(
    sessions: Sessions, now: datetime
) -> None:
    await seed(sessions, now)
    await plan(sessions, now)
    await plan(sessions, now + timedelta(hours=2))
    assert len(await outbox(sessions)) == 1


async def test_unanswered_followups_repeat_after_the_interval_answered_ones_do_not(
    sessions: Sessions, now: datetime
) -> None:
    await seed(sessions, now)
    await plan(sessions, now)
    async with sessions() as session, session.begin():
        items = await open_followups(session)
        h1 = [f for f in items if f.household_code == "H1"]
        for item in h1:
            await report_followup(session, item.id, "in_progress", "Đang làm hồ sơ", ACTOR, now)
    await plan(sessions, now + timedelta(days=1))
    assert len(await outbox(sessions)) == 1
    await plan(sessions, now + timedelta(days=3))
    digests = await outbox(sessions)
    assert len(digests) == 2
    assert "1 hộ, 1 việc" in digests[1].text
    assert "Hộ H2" in digests[1].text


async def test_long_overdue_followups_go_to_the_managers_once(
    sessions: Sessions, now: datetime
) -> None:
    seeded = await seed(sessions, now)
    later = now + timedelta(days=15 + 7)
    await plan(sessions, later)
    escalations = [m for m in await outbox(sessions) if m.idempotency_key.startswith("escalation")]
    assert [m.idempotency_key for m in escalations] == [
        f"escalation:{seeded.manager_id}:2026-12-15"
    ]
    text = escalations[0].text
    assert text.startswith("Việc đỡ đầu quá hạn cần lãnh đạo chỉ đạo (2 việc):")
    assert "quá hạn 7 ngày; người đỡ đầu: Người đỡ đầu" in text
    await plan(sessions, later + timedelta(days=1))
    assert (
        len([m for m in await outbox(sessions) if m.idempotency_key.startswith("escalation")]) == 1
    )


async def test_report_reminders_go_only_to_units_that_have_not_submitted(
    sessions: Sessions,
) -> None:
    t_minus_7 = datetime(2026, 12, 11, 1, 30, tzinfo=UTC)  # 08:30 on 11/12/2026 in Vietnam
    seeded = await seed(sessions, t_minus_7)
    async with sessions() as session, session.begin():
        (unit,) = await reporting_units(session, "commune")
        await submit_report(session, unit, "2026-Q4", seeded.cadre_id, {}, ACTOR, t_minus_7)
    await plan(sessions, t_minus_7)
    reports = [m for m in await outbox(sessions) if m.idempotency_key.startswith("report:")]
    unit, cadre = seeded.commune_id, seeded.cadre_id
    assert [m.idempotency_key for m in reports] == [
        f"report:{unit}:2026-RS:T-3:{cadre}",
        f"report:{unit}:2026-Y:T-7:{cadre}",
    ]
    assert reports[1].text.splitlines() == [
        "Nhắc nộp Báo cáo năm 2026: hạn 18/12/2026, còn 7 ngày. Đơn vị Cam Tuyền chưa nộp.",
        "Gõ “nộp báo cáo” để xem số liệu và nộp.",
    ]


async def test_no_report_reminder_on_other_days(sessions: Sessions) -> None:
    day = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)
    await seed(sessions, day)
    await plan(sessions, day)
    assert not [m for m in await outbox(sessions) if m.idempotency_key.startswith("report:")]


async def test_reminders_planned_before_eight_wait_until_eight(sessions: Sessions) -> None:
    early = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 06:00 on 23/11 in Vietnam
    await seed(sessions, early)
    await plan(sessions, early)
    (digest,) = await outbox(sessions)
    assert digest.next_try_at == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


async def test_tick_plans_in_its_own_transaction(sessions: Sessions, now: datetime) -> None:
    await seed(sessions, now)
    result = await tick(sessions, CALENDAR, now)
    assert result.ran
    assert (result.plan.digests, result.plan.followups_reminded) == (1, 3)


async def test_mentor_without_a_chat_or_who_blocked_the_bot_gets_an_sms(
    sessions: Sessions, now: datetime
) -> None:
    seeded = await seed(sessions, now)
    async with sessions() as session, session.begin():
        chat = await session.scalar(select(Identity).where(Identity.user_id == seeded.mentor_id))
        assert chat is not None
        chat.blocked_at = now
    await plan(sessions, now)
    (digest,) = await outbox(sessions)
    assert (digest.channel, digest.external_id) == ("sms", "+84912345678")


async def test_two_ticks_at_once_plan_one_digest(sessions: Sessions, now: datetime) -> None:
    await seed(sessions, now)
    results = await asyncio.gather(tick(sessions, CALENDAR, now), tick(sessions, CALENDAR, now))
    assert any(r.ran for r in results)
    assert len(await outbox(sessions)) == 1
