"""Several helpers for one poor household ("2 better-off households help 1 poor household"):
recorded and ended with audit rows, the responsible mentor untouched, counted in the managers'
summary (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from poverty.errors import InvalidInputError
from storage.audit import Actor
from storage.helpers import add_helper, end_helper, list_helpers
from storage.mentors import current_mentors
from storage.models import AuditLog
from tests.bot.conftest import Area, Clock
from tests.conftest import PEOPLE_TZ
from tests.support.records import add_mentor

Sessions = async_sessionmaker[AsyncSession]
ACTOR = Actor("test")


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def test_two_better_off_households_help_one_poor_household_beside_its_mentor(
    bot: Engine, sessions: Sessions, area: Area, clock: Clock
) -> None:
    household = area.households["TL00001"]
    await add_mentor(sessions, household, area.users["mentor"], date(2026, 1, 1))
    async with sessions() as session, session.begin():
        first = await add_helper(
            session, "TL00001", "ho_kha_gia", "Hộ ông Lê Văn Ba", ACTOR, clock.now, tz=PEOPLE_TZ
        )
        second = await add_helper(
            session, "TL00001", "doan_the", "Chị Hồ Thị Hoa", ACTOR, clock.now,
            phone="0912 000 111", organisation="hoi phu nu",
            tz=PEOPLE_TZ,
        )  # fmt: skip

    async with sessions() as session:
        helpers = await list_helpers(session, household_code="TL00001")
        mentors = await current_mentors(session, [household])
        audit = list(await session.scalars(select(AuditLog).where(AuditLog.action == "helper.add")))
    assert [(h.id, h.kind, h.organisation, h.phone) for h in helpers] == [
        (first, "ho_kha_gia", None, None),
        (second, "doan_the", "hoi_phu_nu", "+84912000111"),
    ]
    assert mentors == {household: area.users["mentor"]}
    assert len(audit) == 2
    assert all("Lê Văn Ba" not in str(a.details) and "0912" not in str(a.details) for a in audit)

    [reply] = await bot.handle(Inbound(IdentityRef("console", "manager"), "/kehoach"))
    assert "Được giúp đỡ thêm (hộ khá giả, đoàn thể): 1 hộ, 2 người giúp." in reply.text

    async with sessions() as session, session.begin():
        assert await end_helper(session, first, ACTOR, clock.now, tz=PEOPLE_TZ) == "TL00001"
    async with sessions() as session:
        assert [h.id for h in await list_helpers(session)] == [second]
        assert len(await list_helpers(session, with_history=True)) == 2


@pytest.mark.parametrize(
    ("kind", "name", "extra", "problem"),
    [
        ("hang_xom", "Hộ ông Ba", {}, "Không có loại người giúp đỡ “hang_xom”"),
        ("doan_the", "Chị Hoa", {}, "Hội viên đoàn thể cần ghi rõ đoàn thể"),
        ("doan_the", "Chị Hoa", {"organisation": "hội cờ tướng"}, "Không có đoàn thể"),
        ("ho_kha_gia", "   ", {}, "Tên người giúp đỡ cần từ 1 đến 120 ký tự."),
        ("ho_kha_gia", "Hộ ông Ba", {"phone": "12345"}, "Số điện thoại “12345” không đúng."),
    ],
)
async def test_bad_helpers_are_refused_and_nothing_is_stored(
    sessions: Sessions, area: Area, clock: Clock, kind: str, name: str,
    extra: dict[str, str], problem: str,
) -> None:  # fmt: skip
    async with sessions() as session, session.begin():
        with pytest.raises(InvalidInputError) as refused:
            await add_helper(
                session, "TL00001", kind, name, ACTOR, clock.now, **extra, tz=PEOPLE_TZ
            )

    assert refused.value.render(lambda text: text).startswith(problem)
    async with sessions() as session:
        assert await list_helpers(session) == []


async def test_the_same_helper_twice_and_an_unknown_household_are_refused(
    sessions: Sessions, area: Area, clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        await add_helper(
            session, "TL00001", "ho_kha_gia", "Hộ ông Ba", ACTOR, clock.now, tz=PEOPLE_TZ
        )
    async with sessions() as session, session.begin():
        with pytest.raises(InvalidInputError):
            await add_helper(
                session, "TL00001", "ho_kha_gia", "ho ong ba", ACTOR, clock.now, tz=PEOPLE_TZ
            )
        with pytest.raises(InvalidInputError):
            await add_helper(
                session, "XX99999", "ho_kha_gia", "Hộ ông Ba", ACTOR, clock.now, tz=PEOPLE_TZ
            )
        with pytest.raises(InvalidInputError):
            await end_helper(session, 999, ACTOR, clock.now, tz=PEOPLE_TZ)
    async with sessions() as session:
        assert len(await list_helpers(session)) == 1
