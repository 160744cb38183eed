"""``nộp báo cáo`` (cadre) and ``ai chưa nộp`` (manager)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.flows.report_submission import LATE_REPORTS, REPORT_SUBMISSION
from storage.reporting import submission
from tests.bot.conftest import Clock
from tests.conftest import PEOPLE_TZ
from tests.scheduler.test_reminders import Seeded, seed

CADRE = IdentityRef("telegram", "701")
MANAGER = IdentityRef("telegram", "601")
DEC_11 = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # 09:00 on 11/12/2026 in Vietnam


@pytest.fixture
async def seeded(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Seeded:
    clock.now = DEC_11
    return await seed(sessions, DEC_11)


@pytest.fixture
def bot(sessions: async_sessionmaker[AsyncSession], clock: Clock, seeded: Seeded) -> Engine:
    return Engine(sessions, clock, [REPORT_SUBMISSION, LATE_REPORTS], tz=PEOPLE_TZ)


async def say(bot: Engine, text: str, who: IdentityRef = CADRE) -> list[Outbound]:
    return await bot.handle(Inbound(who, text))


async def test_cadre_sees_the_figures_and_submits(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    [pick] = await say(bot, "nộp báo cáo")
    assert pick.text == "Đơn vị Cam Tuyền nộp báo cáo nào?"
    assert [o.label for o in pick.choices] == [
        "Báo cáo quý 3/2026",  # overdue since 18/09, still accepted
        "Kết quả rà soát hộ nghèo, cận nghèo năm 2026",
        "Báo cáo quý 4/2026",
        "Báo cáo năm 2026",
    ]
    [confirm] = await say(bot, "4")
    assert confirm.text.splitlines() == [
        "Báo cáo năm 2026 – Cam Tuyền (hạn 18/12/2026):",
        "• Tổng số hộ: 2",
        "• Hộ nghèo: 2",
        "• Hộ cận nghèo: 0",
        "• Việc đỡ đầu đang theo dõi: 3",
        "• Việc đỡ đầu đã xong: 0",
        "Xác nhận nộp báo cáo với số liệu trên?",
    ]
    [done] = await say(bot, "co")
    assert done.text == "Đã nhận Báo cáo năm 2026 của Cam Tuyền. Cảm ơn anh/chị!"
    async with sessions() as session:
        saved = await submission(session, seeded.commune_id, "2026-Y")
    assert saved is not None
    assert saved.figures["ho_ngheo"] == 2
    assert saved.submitted_by_user_id == seeded.cadre_id
    [again] = await say(bot, "nop bao cao")
    assert [o.label for o in again.choices] == [
        "Báo cáo quý 3/2026",
        "Kết quả rà soát hộ nghèo, cận nghèo năm 2026",
        "Báo cáo quý 4/2026",
    ]


async def test_answering_no_submits_nothing(bot: Engine) -> None:
    await say(bot, "nop bao cao")
    await say(bot, "2")
    assert [r.text for r in await say(bot, "khong")] == [
        "Chưa nộp. Khi sẵn sàng, gõ “nộp báo cáo”."
    ]


async def test_manager_sees_who_is_late(bot: Engine) -> None:
    await say(bot, "nop bao cao")
    await say(bot, "3")
    await say(bot, "co")
    [reply] = await say(bot, "ai chua nop", MANAGER)
    assert reply.text.splitlines() == [
        "Báo cáo quý 3/2026 (hạn 18/09/2026): 1/1 đơn vị chưa nộp.",
        "• Cam Tuyền",
        "Kết quả rà soát hộ nghèo, cận nghèo năm 2026 (hạn 14/12/2026): 1/1 đơn vị chưa nộp.",
        "• Cam Tuyền",
        "Báo cáo quý 4/2026 (hạn 18/12/2026): tất cả 1 đơn vị đã nộp.",
        "Báo cáo năm 2026 (hạn 18/12/2026): 1/1 đơn vị chưa nộp.",
        "• Cam Tuyền",
    ]
