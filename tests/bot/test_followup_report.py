"""``báo cáo việc``: a mentor answers follow-ups by chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.followup_report import FOLLOWUP_REPORT, MENTOR_ASSIGNMENT
from bot.flows.messages import IdentityRef, Inbound, Outbound
from storage.followups import open_followups
from storage.mentors import list_assignments
from storage.models import AuditLog, RoleGrant
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
    [pick] = await say(bot, "bao cao viec")
    assert pick.text == "Anh/chị báo cáo việc nào?"
    assert [o.label for o in pick.choices] == [
        "Hộ H1 – Bảo hiểm y tế (hạn 08/12/2026)",
        "Hộ H2 – Bảo hiểm y tế (hạn 08/12/2026)",
        "Hộ H1 – Việc làm (hạn 23/12/2026)",
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
    await say(bot, "2")
    await say(bot, "dang lam")
    [reply] = await say(bot, "khong")
    assert reply.text.endswith("Còn 2 việc chờ báo cáo; gõ “báo cáo việc” để báo cáo tiếp.")
    [pick] = await say(bot, "bao cao viec")
    assert len(pick.choices) == 3


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
