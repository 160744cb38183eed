"""The watch over newly escaped households end to end: quarterly reminders through the outbox,
the mentor's answers by chat, a fall back into poverty, and the managers' summary."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from poverty.calendar import load_calendar
from scheduler.tick import plan_all
from storage.audit import Actor
from storage.models import AuditLog, EscapeCheck, Identity, OutboxMessage
from storage.support_ledger import NewSupport, record_support
from storage.support_plans import save_plan
from tests.bot.conftest import Area, Clock, Talker
from tests.conftest import PEOPLE_TZ
from tests.support.records import add_mentor, add_records

Sessions = async_sessionmaker[AsyncSession]
CALENDAR = load_calendar(timezone=PEOPLE_TZ.key)


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


async def plan(sessions: Sessions, day: date) -> int:
    async with sessions() as session, session.begin():
        return (await plan_all(session, CALENDAR, at(day))).escape_checks


async def checks_queued(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        keys = await session.scalars(
            select(OutboxMessage.idempotency_key)
            .where(OutboxMessage.idempotency_key.startswith("escape-check:"))
            .order_by(OutboxMessage.id)
        )
        return list(keys)


async def test_newly_escaped_household_gets_quarterly_checks_for_36_months(
    bot: Engine, sessions: Sessions, area: Area, clock: Clock
) -> None:
    household = area.households["TL00004"]
    await add_records(sessions, household, {2024: "ngheo", 2025: "khong"}, clock.now)
    await add_mentor(sessions, household, area.users["mentor"], date(2025, 6, 1))
    async with sessions() as session, session.begin():
        session.add(
            Identity(
                user_id=area.users["mentor"],
                channel="telegram",
                external_id="77",
                created_at=at(date(2025, 1, 1)),
            )
        )

    assert await plan(sessions, date(2026, 3, 20)) == 0
    assert await plan(sessions, date(2026, 4, 2)) == 1
    assert await plan(sessions, date(2026, 4, 2)) == 0
    assert await plan(sessions, date(2026, 5, 15)) == 0
    async with sessions() as session:
        message = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("escape-check:"))
        )
    assert message is not None
    assert (message.channel, message.external_id) == ("telegram", "77")
    assert message.text.splitlines() == [
        "Theo dõi hộ mới thoát nghèo: hộ TL00004 – Đặng Thị Hà (thoát nghèo năm 2025, theo dõi "
        "đến 01/01/2029). Xin hỏi thăm hộ: có thiếu hụt nào quay lại không, thu nhập có giảm "
        "không?",
        "Gõ “thoát nghèo” để trả lời.",
    ]

    clock.now = at(date(2026, 7, 3))
    mentor = Talker(bot, "mentor")
    replies = await mentor.script(["thoat ngheo", "có", "khong", "Chồng mất việc"])
    assert replies[0].startswith("Hộ TL00004: từ lần trước đến nay, hộ có thiếu hụt nào")
    assert replies[-1].splitlines() == [
        "Đã ghi nhận kiểm tra hộ TL00004 (kỳ từ 01/07/2026). Cảm ơn anh/chị!",
        "Hộ có dấu hiệu nguy cơ tái nghèo; lãnh đạo xã sẽ thấy trong tóm tắt “kế hoạch”. "
        "Nên kiểm tra lại hộ: gõ “kiểm tra TL00004”.",
    ]
    assert await plan(sessions, date(2026, 7, 10)) == 0
    assert await plan(sessions, date(2026, 10, 2)) == 1
    assert await plan(sessions, date(2028, 12, 30)) == 1
    assert await plan(sessions, date(2029, 1, 2)) == 0
    assert await checks_queued(sessions) == [
        f"escape-check:{household}:2026-04-01",
        f"escape-check:{household}:2026-10-01",
        f"escape-check:{household}:2028-10-01",
    ]
    async with sessions() as session:
        check = await session.scalar(select(EscapeCheck))
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "escape.check"))
    assert check is not None
    assert (check.period_start, check.deprivation_back, check.income_fell) == (
        date(2026, 7, 1),
        True,
        False,
    )
    assert audit is not None
    assert audit.details["deprivation_back"] is True


async def test_falling_back_ends_the_watch_and_counts_as_re_poverty(
    bot: Engine, sessions: Sessions, area: Area, clock: Clock
) -> None:
    household = area.households["TL00004"]
    await add_records(
        sessions, household, {2024: "ngheo", 2025: "khong", 2026: "can_ngheo"}, clock.now
    )
    await add_mentor(sessions, household, area.users["mentor"], date(2025, 6, 1))
    assert await plan(sessions, date(2026, 4, 2)) == 0
    manager = Talker(bot, "manager")
    text = await manager.say("ke hoach")
    assert "Hộ tái nghèo năm 2026: 1 hộ." in text.splitlines()
    assert "Hộ mới thoát nghèo đang theo dõi: 0 hộ, trong đó 0 hộ có nguy cơ tái nghèo." in text


async def test_manager_summary_gives_the_figures_by_chat_and_xlsx(
    bot: Engine, sessions: Sessions, area: Area, clock: Clock
) -> None:
    now = clock.now
    actor = Actor("test")
    households = area.households
    async with sessions() as session, session.begin():
        await save_plan(
            session, households["TL00001"],
            {"group_code": "b", "causes": ["thieu_von", "thieu_dat"], "target_year": 2026,
             "ethnic_group": "Vân Kiều", "merit_categories": ["thuong_binh"]},
            actor, now,
        )  # fmt: skip
        await save_plan(
            session, households["TL00002"], {"group_code": "a", "causes": ["om_dau"]}, actor, now
        )
        await save_plan(session, households["TL00010"], {"target_year": 2026}, actor, now)
        for code, policy, amount in (
            ("TL00001", "vay_ho_ngheo", 50_000_000),
            ("TL00001", "bhyt", 1_000_000),
            ("TL00002", "bhyt", 1_000_000),
            ("CT00001", "bhyt", 9_000_000),
        ):
            await record_support(
                session,
                NewSupport(households[code], date(2026, 3, 1), policy_code=policy, amount=amount),
                actor,
                "console",
                now,
            )
        await record_support(
            session,
            NewSupport(households["TL00001"], date(2025, 3, 1), policy_code="bhyt", amount=7),
            actor,
            "console",
            now,
        )
    await add_mentor(sessions, households["TL00001"], area.users["mentor"], date(2026, 1, 1))
    await add_records(sessions, households["TL00004"], {2024: "ngheo", 2025: "khong"}, now)
    await add_records(sessions, households["TL00010"], {2025: "ngheo", 2026: "trung_binh"}, now)
    await add_records(
        sessions,
        households["TL00011"],
        {2023: "ngheo", 2024: "khong", 2025: "khong", 2026: "can_ngheo"},
        now,
    )
    async with sessions() as session, session.begin():
        session.add(
            EscapeCheck(
                household_id=households["TL00004"], period_start=date(2026, 10, 1),
                deprivation_back=False, income_fell=True, created_at=now,
            )
        )  # fmt: skip

    replies = await bot.handle(Inbound(IdentityRef("console", "manager"), "/kehoach"))
    [reply] = replies
    assert reply.text.splitlines() == [
        "Kế hoạch hỗ trợ hộ nghèo năm 2026 – Quảng Trị / Tân Lập",
        "Hộ nghèo: 1; hộ cận nghèo: 1.",
        "Theo nhóm:",
        "• a) Không có khả năng lao động: 1 hộ",
        "• b) Có lao động nhưng thiếu vốn, đất, tư liệu sản xuất hoặc việc làm: 1 hộ",
        "Theo nguyên nhân:",
        "• Thiếu vốn: 1 hộ",
        "• Thiếu đất sản xuất: 1 hộ",
        "• Có người ốm đau nặng: 1 hộ",
        "Hỗ trợ đã ghi năm 2026: 2 hộ, 52.000.000 đồng.",
        "• Vay vốn ưu đãi hộ nghèo (NHCSXH): 1 hộ, 50.000.000 đồng",
        "• Bảo hiểm y tế (BHYT): 2 hộ, 2.000.000 đồng",
        "Có người đỡ đầu: 1 hộ; chưa có: 1 hộ.",
        "• Chưa ghi loại người đỡ đầu: 1 hộ",
        "Chỉ tiêu thoát nghèo năm 2026: 2 hộ; đã thoát: 1 hộ đạt chỉ tiêu.",
        "Hộ thoát nghèo năm 2026: 1 hộ.",
        "Hộ mới thoát nghèo đang theo dõi: 1 hộ, trong đó 1 hộ có nguy cơ tái nghèo.",
        "Hộ tái nghèo năm 2026: 1 hộ.",
        "Hộ nghèo, cận nghèo theo dân tộc: Vân Kiều 1.",
        "Hộ nghèo, cận nghèo có người có công: 1 hộ.",
    ]
    [attachment] = reply.attachments
    assert attachment.filename == "ke-hoach-tan-lap-2026.xlsx"
    book = load_workbook(io.BytesIO(attachment.data))
    figures = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=3, values_only=True)}
    assert figures["Hộ chưa có người đỡ đầu"] == 1
    assert figures["Tổng tiền hỗ trợ trong năm (đồng)"] == 52_000_000
    assert figures["Hộ tái nghèo trong năm"] == 1
    support = list(book["Hỗ trợ"].iter_rows(min_row=3, values_only=True))
    assert support == [
        ("Vay vốn ưu đãi hộ nghèo (NHCSXH)", 1, 1, 50_000_000),
        ("Bảo hiểm y tế (BHYT)", 2, 2, 2_000_000),
    ]
    assert [r[0] for r in book["Chưa có người đỡ đầu"].iter_rows(min_row=3, values_only=True)] == [
        "TL00002"
    ]


async def test_cadre_may_not_ask_for_the_managers_summary(bot: Engine) -> None:
    text = await Talker(bot, "cadre").say("ke hoach")
    assert text.startswith("Xin lỗi, việc “Kế hoạch hỗ trợ (tóm tắt)” không thuộc vai trò")


async def test_appendix_filter_by_merit_and_ethnic_group_on_both_databases(
    sessions: Sessions, area: Area, clock: Clock
) -> None:
    from storage.reports import appendix_1
    from storage.support_summary import Filters, record_filter
    from storage.units import get_unit

    households = area.households
    await add_records(sessions, households["TL00001"], {2026: "ngheo"}, clock.now)
    await add_records(sessions, households["TL00002"], {2026: "can_ngheo"}, clock.now)
    async with sessions() as session, session.begin():
        await save_plan(
            session,
            households["TL00001"],
            {"ethnic_group": "Vân Kiều", "merit_categories": ["thuong_binh", "benh_binh"]},
            Actor("test"),
            clock.now,
        )
        await save_plan(
            session, households["TL00002"], {"ethnic_group": "Khmer"}, Actor("test"), clock.now
        )
    async with sessions() as session:
        unit = await get_unit(session, area.units["tan_lap"])

        async def total(filters: Filters) -> object:
            records = await record_filter(session, filters)
            return (await appendix_1(session, unit, 2026, records)).total["tong_so_ho"]

        assert await total(Filters()) == 2
        assert await total(Filters(ethnic_group="van kieu")) == 1
        assert await total(Filters(merit="benh_binh")) == 1
        assert await total(Filters(merit="*")) == 1
        assert await total(Filters(merit="than_nhan_liet_si")) == 0


async def test_manager_summary_by_chat_for_an_ethnic_group_or_people_with_merit(
    bot: Engine, sessions: Sessions, area: Area, clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        await save_plan(
            session,
            area.households["TL00001"],
            {"ethnic_group": "Vân Kiều", "merit_categories": ["benh_binh"]},
            Actor("test"),
            clock.now,
        )
    manager = Talker(bot, "manager")
    lines = (await manager.say("kế hoạch dân tộc van kieu")).splitlines()
    assert lines[1:3] == ["Chỉ tính các hộ dân tộc van kieu.", "Hộ nghèo: 1; hộ cận nghèo: 0."]
    lines = (await manager.say("ke hoach co cong")).splitlines()
    assert lines[1:3] == ["Chỉ tính các hộ có người có công.", "Hộ nghèo: 1; hộ cận nghèo: 0."]
    lines = (await manager.say("ke hoach dan toc Khmer")).splitlines()
    assert lines[2] == "Hộ nghèo: 0; hộ cận nghèo: 0."
    assert (await manager.say("ke hoach")).splitlines()[1] == "Hộ nghèo: 1; hộ cận nghèo: 1."
