"""``báo cáo việc``: a mentor answers follow-ups by chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.followup_report import FOLLOWUP_REPORT, MENTOR_ASSIGNMENT
from bot.flows.messages import IdentityRef, Inbound, Outbound
from storage.audit import Actor
from storage.followups import open_followups, sync_followups
from storage.households import HouseholdRow, save_households
from storage.mentors import assign_mentor, list_assignments
from storage.models import AdminUnit, AuditLog, Household, RoleGrant, User
from tests.bot.conftest import Clock
from tests.conftest import PEOPLE_TZ
from tests.scheduler.test_reminders import seed

MENTOR = IdentityRef("telegram", "501")
STRANGER_MENTOR = IdentityRef("telegram", "701")


@pytest.fixture
async def bot(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Engine:
    seeded = await seed(sessions, clock.now)
    async with sessions() as session, session.begin():
        for user in (seeded.mentor_id, seeded.cadre_id):
            session.add(
                RoleGrant(
                    user_id=user, role="mentor", unit_id=seeded.commune_id, granted_at=clock.now
                )
            )
    return Engine(sessions, clock, [FOLLOWUP_REPORT], tz=PEOPLE_TZ)


async def say(bot: Engine, text: str, who: IdentityRef = MENTOR) -> list[Outbound]:
    return await bot.handle(Inbound(who, text))


async def test_mentor_reports_one_followup_done_with_a_note(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    [households] = await say(bot, "bao cao viec")
    assert households.text == "Anh/chị báo cáo việc của hộ nào?"
    assert [o.label for o in households.choices] == [
        "Hộ H1 – Chủ hộ 1 (2 việc)",
        "Hộ H2 – Chủ hộ 2 (1 việc)",
    ]
    [pick] = await say(bot, "1")
    assert pick.text == "Hộ H1: anh/chị báo cáo việc nào?"
    assert [o.label for o in pick.choices] == [
        "Bảo hiểm y tế (hạn 08/12/2026)",
        "Việc làm (hạn 23/12/2026)",
    ]
    [state] = await say(bot, "1")
    assert state.text == "Tình hình Hộ H1 – Bảo hiểm y tế (hạn 08/12/2026)?"
    assert [o.label for o in state.choices] == ["Đã xong", "Đang làm", "Vướng, cần hỗ trợ"]
    [note] = await say(bot, "da xong")
    assert note.text == "Ghi chú ngắn cho việc này (gõ “không” nếu không có):"
    [done] = await say(bot, "Đã làm thẻ BHYT cho cả nhà")
    assert done.text.splitlines() == [
        "Đã ghi nhận: Hộ H1 – Bảo hiểm y tế (hạn 08/12/2026) – đã xong.",
        "Còn 2 việc chờ báo cáo; gõ “báo cáo việc” để báo cáo tiếp.",
    ]
    async with sessions() as session:
        left = await open_followups(session)
        audit = await session.scalar(
            select(AuditLog.details).where(AuditLog.action == "followup.report")
        )
    assert len(left) == 2
    assert audit is not None
    assert audit["state"] == "done"


async def test_in_progress_keeps_the_followup_in_the_list(bot: Engine) -> None:
    await say(bot, "bao cao viec")
    [state] = await say(bot, "H2")  # by code; its only task is not asked for
    assert state.text == "Tình hình Hộ H2 – Bảo hiểm y tế (hạn 08/12/2026)?"
    await say(bot, "dang lam")
    [reply] = await say(bot, "khong")
    assert reply.text.endswith("Còn 2 việc chờ báo cáo; gõ “báo cáo việc” để báo cáo tiếp.")
    [pick] = await say(bot, "bao cao viec")
    assert len(pick.choices) == 2


async def test_many_tasks_are_picked_household_first_never_as_one_flat_list(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await seed_many_tasks(sessions, clock, households=31)  # 93 open tasks, 3 per household
    bot = Engine(sessions, clock, [FOLLOWUP_REPORT], tz=PEOPLE_TZ)

    [households] = await say(bot, "bao cao viec", SMS_MENTOR)
    [tasks] = await say(bot, "M031", SMS_MENTOR)
    [state] = await say(bot, "3", SMS_MENTOR)

    assert len(households.choices) == 31
    assert households.choices[-1].label == "Hộ M031 – Chủ hộ 31 (3 việc)"
    assert [o.label.split(" (")[0] for o in tasks.choices] == [
        "Bảo hiểm y tế", "Việc làm", "Nguồn nước sinh hoạt",
    ]  # fmt: skip
    assert state.text.startswith("Tình hình Hộ M031 – Nguồn nước sinh hoạt")


async def test_someone_without_mentored_households_is_told_so(bot: Engine) -> None:
    assert [r.text for r in await say(bot, "bao cao viec", STRANGER_MENTOR)] == [
        "Anh/chị không có việc đỡ đầu nào đang chờ báo cáo."
    ]


MANAGER = IdentityRef("telegram", "601")


async def test_manager_assigns_a_household_by_chat_and_hand_over_keeps_history(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await seed(sessions, clock.now)
    bot = Engine(sessions, clock, [MENTOR_ASSIGNMENT], tz=PEOPLE_TZ)
    assert [r.text for r in await say(bot, "giao do dau", MANAGER)] == ["Mã hộ cần giao?"]
    assert [r.text for r in await say(bot, "H1", MANAGER)] == ["Số điện thoại người đỡ đầu?"]
    assert [r.text for r in await say(bot, "0987 654 321", MANAGER)] == [
        "Đã giao hộ H1 cho người đỡ đầu có số +84987654321."
    ]
    async with sessions() as session:
        history = await list_assignments(session, household_code="H1", with_history=True)
    assert [a.mentor_phone for a in history] == ["+84912345678", "+84987654321"]
    assert history[0].valid_to is not None


async def test_household_outside_the_managers_area_is_refused(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await seed(sessions, clock.now)
    bot = Engine(sessions, clock, [MENTOR_ASSIGNMENT], tz=PEOPLE_TZ)
    await say(bot, "giao do dau", MANAGER)
    await say(bot, "KHONG-CO", MANAGER)
    [refused, again] = await say(bot, "0987654321", MANAGER)
    assert refused.text == "Không tìm thấy hộ mã “KHONG-CO” trong địa bàn của anh/chị."
    assert again.text == "Số điện thoại người đỡ đầu?"


SMS_MENTOR = IdentityRef("sms", "+84987111333")


async def seed_many_tasks(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, households: int
) -> None:
    """``households`` poor households, each with three open follow-ups, all mentored by the
    phone :data:`SMS_MENTOR`."""
    rows = [
        HouseholdRow(
            code=f"M{i:03d}", head_name=f"Chủ hộ {i}", province="Quảng Trị", commune="Cam Hiếu",
            members=4, status="ngheo", poor_group="chinh_sach_giam_ngheo", year=2026,
            deprivations={"viec_lam": True, "bhyt": True, "nuoc_sinh_hoat": True},
        )
        for i in range(1, households + 1)
    ]  # fmt: skip
    actor = Actor("test")
    async with sessions() as session, session.begin():
        await save_households(session, rows, actor, clock.now, default_year=2026, tz=PEOPLE_TZ)
        ids = list(await session.scalars(select(Household.id)))
        await sync_followups(session, ids, clock.now, actor, tz=PEOPLE_TZ)
        for row in rows:
            await assign_mentor(
                session, row.code, SMS_MENTOR.external_id, actor, clock.now, tz=PEOPLE_TZ
            )
        mentor = await session.scalar(select(User.id).where(User.phone == SMS_MENTOR.external_id))
        commune = await session.scalar(select(AdminUnit.id).where(AdminUnit.name == "Cam Hiếu"))
        assert mentor is not None
        assert commune is not None
        session.add(RoleGrant(user_id=mentor, role="mentor", unit_id=commune, granted_at=clock.now))
