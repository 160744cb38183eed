"""``DD`` (a mentor reports a follow-up) and ``BC`` (a cadre submits the unit's report), each in
one message, by SMS and by chat (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef
from storage.models import AuditLog, ConversationState, FollowUp, RoleGrant, User
from storage.reporting import submission
from tests.bot.codes_helpers import ask
from tests.bot.conftest import Clock
from tests.conftest import PEOPLE_TZ
from tests.scheduler.test_reminders import Seeded, seed

MENTOR_SMS = IdentityRef("sms", "0912345678")  # the mentor of H1 and H2, by phone
MENTOR_CHAT = IdentityRef("telegram", "501")
OTHER_MENTOR = IdentityRef("telegram", "701")  # has the mentor role, mentors no household
CADRE_SMS = IdentityRef("sms", "+84987654321")
MENTORS = pytest.mark.parametrize("who", [MENTOR_SMS, MENTOR_CHAT], ids=["sms", "telegram"])
DEC_11 = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


@pytest.fixture
async def seeded(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Seeded:
    clock.now = DEC_11
    found = await seed(sessions, DEC_11)
    async with sessions() as session, session.begin():
        for user in (found.mentor_id, found.cadre_id):
            session.add(
                RoleGrant(user_id=user, role="mentor", unit_id=found.commune_id, granted_at=DEC_11)
            )
        await session.execute(
            update(User).where(User.id == found.cadre_id).values(phone="+84987654321")
        )
    return found


@pytest.fixture
def bot(sessions: async_sessionmaker[AsyncSession], clock: Clock, seeded: Seeded) -> Engine:
    return Engine(sessions, clock, registered_flows(), tz=PEOPLE_TZ)


async def states(sessions: async_sessionmaker[AsyncSession]) -> dict[tuple[str, str], str]:
    """(household id as text, indicator) → state, for every follow-up."""
    async with sessions() as session:
        rows = await session.execute(
            select(FollowUp.household_id, FollowUp.indicator, FollowUp.state)
        )
        return {(str(h), i): s for h, i, s in rows}


async def conversations(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ConversationState)) or 0)


@MENTORS
async def test_mentor_reports_a_followup_done_in_one_message(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], who: IdentityRef
) -> None:
    reply = await ask(bot, who, "DD H1 bhyt XONG")

    assert reply == "Đã ghi nhận hộ H1, Bảo hiểm y tế: đã xong. Còn 2 việc chờ báo cáo."
    async with sessions() as session:
        done = await session.scalar(
            select(FollowUp).where(FollowUp.indicator == "bhyt", FollowUp.state == "done")
        )
        audit = await session.scalar(
            select(AuditLog.details).where(AuditLog.action == "followup.report")
        )
    assert done is not None
    assert done.closed_at is not None
    assert audit is not None
    assert audit["state"] == "done"
    assert await conversations(sessions) == 0


@pytest.mark.parametrize(
    ("text", "indicator", "state", "note"),
    [
        ("dd h1 4 đang làm", "bhyt", "in_progress", None),
        ("DD H1 viec lam vướng mắc cần vốn vay", "viec_lam", "blocked", "cần vốn vay"),
        ("Dd  H1  Việc Làm  Xong Rồi ", "viec_lam", "done", None),
        ("DD H1 vieclam da xong", "viec_lam", "done", None),
        ("DD H1 1 VUONG", "viec_lam", "blocked", None),
        ("DD H1 bao hiem y te dang", "bhyt", "in_progress", None),
        ("DD H1 BHYT xong roi đã có thẻ", "bhyt", "done", "đã có thẻ"),
    ],
)
async def test_indicator_by_number_or_short_name_and_state_in_any_spelling(
    bot: Engine,
    sessions: async_sessionmaker[AsyncSession],
    text: str,
    indicator: str,
    state: str,
    note: str | None,
) -> None:
    reply = await ask(bot, MENTOR_SMS, text)

    assert reply.startswith("Đã ghi nhận hộ H1, ")
    async with sessions() as session:
        row = await session.scalar(
            select(FollowUp).where(FollowUp.indicator == indicator, FollowUp.state == state)
        )
    assert row is not None
    assert row.last_report == note


@MENTORS
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("DD", "Thiếu mã hộ, chỉ số và tình hình (XONG, DANG hoặc VUONG)."),
        ("DD H1", "Thiếu mã hộ, chỉ số và tình hình (XONG, DANG hoặc VUONG)."),
        ("DD H1 bhyt", "Thiếu tình hình: XONG, DANG hoặc VUONG."),
        ("DD H1 bhyt xongg", "Thiếu tình hình: XONG, DANG hoặc VUONG."),
        ("DD H1 xong", "Thiếu chỉ số (số thứ tự hoặc tên ngắn) trước tình hình."),
        ("DD H1 abcxyz xong", "Không rõ chỉ số này; gõ số 1-12 theo thứ tự của KT hoặc tên ngắn."),
        ("DD H1 😀 xong", "Không rõ chỉ số này; gõ số 1-12 theo thứ tự của KT hoặc tên ngắn."),
        ("DD H1 13 xong", "Không có chỉ số số 13; chuẩn hiện hành có 12 chỉ số."),
        ("DD H1 nha xong", "Hộ H1 không có việc đang mở về Chất lượng nhà ở; việc đang mở: "),
        (
            "DD H1 nuoc xong",
            "Hộ H1 không có việc đang mở về Nguồn nước sinh hoạt; việc đang mở: chỉ số số 1, 4.",
        ),
        ("DD H9 bhyt xong", "Anh/chị không có việc đỡ đầu nào đang mở của hộ H9."),
        ("DD H1 bhyt xong 😀", "Xin chỉ nhập chữ, số và dấu câu thông thường."),
        ("DD 😀 bhyt xong", "Mã hộ chỉ gồm chữ không dấu, số và dấu gạch"),
    ],
)
async def test_bad_report_says_what_is_wrong_and_changes_nothing(
    bot: Engine,
    sessions: async_sessionmaker[AsyncSession],
    who: IdentityRef,
    text: str,
    problem: str,
) -> None:
    before = await states(sessions)

    reply = await ask(bot, who, text)

    assert reply.startswith(problem)
    assert reply.endswith("Ví dụ: DD H1 4 XONG"), "an example from the mentor's own tasks"
    assert await states(sessions) == before
    assert await conversations(sessions) == 0


async def test_someone_else_cannot_report_the_mentors_followups(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = await states(sessions)

    reply = await ask(bot, OTHER_MENTOR, "DD H1 bhyt xong")

    assert reply.startswith("Anh/chị không có việc đỡ đầu nào đang mở của hộ H1.")
    assert await states(sessions) == before


async def test_a_closed_followup_cannot_be_reported_again(bot: Engine) -> None:
    await ask(bot, MENTOR_SMS, "DD H2 bhyt xong")

    reply = await ask(bot, MENTOR_SMS, "DD H2 bhyt xong")

    assert reply.startswith("Anh/chị không có việc đỡ đầu nào đang mở của hộ H2.")


async def test_last_open_followup_says_none_left(bot: Engine) -> None:
    await ask(bot, MENTOR_SMS, "DD H1 bhyt xong")
    await ask(bot, MENTOR_SMS, "DD H1 viec lam xong")

    assert await ask(bot, MENTOR_SMS, "DD H2 bhyt xong") == (
        "Đã ghi nhận hộ H2, Bảo hiểm y tế: đã xong. Không còn việc nào chờ báo cáo. Cảm ơn anh/chị!"
    )


async def test_bc_with_several_open_reports_lists_them_and_submits_nothing(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    reply = await ask(bot, CADRE_SMS, "BC")

    assert reply == (
        "Cam Tuyền có 4 báo cáo chờ nộp; xin soạn một mã: BC 2026-Q3 (hạn 18/09), "
        "BC 2026-RS (hạn 14/12), BC 2026-Q4 (hạn 18/12), BC 2026-Y (hạn 18/12)."
    )
    async with sessions() as session:
        assert await submission(session, seeded.commune_id, "2026-Q4") is None


async def test_bc_names_a_period_and_submits_it_with_the_figures(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    reply = await ask(bot, CADRE_SMS, "bc q4")

    assert reply == (
        "Đã nộp Báo cáo quý 4/2026 của Cam Tuyền: 2 hộ, 2 hộ nghèo, 0 hộ cận nghèo. "
        "Còn 3 báo cáo chờ nộp, soạn BC để xem."
    )
    async with sessions() as session:
        saved = await submission(session, seeded.commune_id, "2026-Q4")
        audit = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "report.submit")
        )
    assert saved is not None
    assert saved.submitted_by_user_id == seeded.cadre_id
    assert saved.figures["ho_ngheo"] == 2
    assert audit == 1
    assert await ask(bot, CADRE_SMS, "BC 2026-Q4") == (
        "Báo cáo quý 4/2026 của Cam Tuyền đã được nộp trước đó."
    )


async def test_bc_alone_shows_what_would_be_sent_and_the_message_that_submits_it(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    for period in ("2026-Q3", "2026RS", "2026-y"):
        assert (await ask(bot, CADRE_SMS, f"BC {period}")).startswith("Đã nộp ")

    shown = await ask(bot, CADRE_SMS, "BC")
    async with sessions() as session:
        assert await submission(session, seeded.commune_id, "2026-Q4") is None
    last = await ask(bot, CADRE_SMS, "BC 2026-Q4")
    after = await ask(bot, CADRE_SMS, "BC")

    assert shown == (
        "Báo cáo quý 4/2026 của Cam Tuyền: 2 hộ, 2 hộ nghèo, 0 hộ cận nghèo. Để nộp, gửi: "
        "BC 2026-Q4"
    )
    assert last == "Đã nộp Báo cáo quý 4/2026 của Cam Tuyền: 2 hộ, 2 hộ nghèo, 0 hộ cận nghèo."
    assert after == "Đơn vị Cam Tuyền không có báo cáo nào đang chờ nộp."
    async with sessions() as session:
        assert await submission(session, seeded.commune_id, "2026-Q4") is not None


@pytest.mark.parametrize("text", ["BC xyz", "BC 2025-Q4", "BC 😀", "BC q"])
async def test_bc_with_an_unknown_period_submits_nothing(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], seeded: Seeded, text: str
) -> None:
    reply = await ask(bot, CADRE_SMS, text)

    assert reply.startswith("Không có kỳ báo cáo này đang mở; đang chờ nộp: BC 2026-Q3")
    assert reply.endswith("Ví dụ: BC 2026-Q3"), "an example of a report still to submit"
    async with sessions() as session:
        for period in ("2026-Q3", "2026-RS", "2026-Q4", "2026-Y"):
            assert await submission(session, seeded.commune_id, period) is None


async def test_bc_outside_any_report_window_says_nothing_is_due(bot: Engine, clock: Clock) -> None:
    clock.now = datetime(2026, 4, 25, 3, 0, tzinfo=UTC)
    await ask(bot, CADRE_SMS, "BC q1")  # the first quarter, the only one open in late April

    assert await ask(bot, CADRE_SMS, "BC") == (
        "Đơn vị Cam Tuyền không có báo cáo nào đang chờ nộp."
    )


async def test_bc_is_refused_to_a_mentor(bot: Engine) -> None:
    reply = await ask(bot, MENTOR_SMS, "BC")

    assert reply.startswith("Xin lỗi, việc “Nộp báo cáo bằng mã BC” không thuộc vai trò")


STRANGER_SMS = IdentityRef("sms", "+84911000222")
ACCEPTED = (
    "Đã ghi nhận hộ",  # DD
    "Đã nộp",  # BC
    "Đã lưu kiểm tra hộ",  # KT
    "Bảo hiểm y tế (BHYT): ",  # CS
    "Đã ghi hỗ trợ hộ",  # HT
)


def examples_in(reply: str) -> list[str]:
    """Every complete message an error reply offers: the one to confirm with (“… ở cuối:
    <message>”) and the example (“Ví dụ: <message>”)."""
    found = re.findall(r"ở cuối: (.+?)(?: Ví dụ: |$)", reply)
    if "Ví dụ: " in reply:
        found.append(reply.rsplit("Ví dụ: ", 1)[1])
    return found


@pytest.mark.parametrize(
    ("who", "wrong"),
    [
        (MENTOR_SMS, "DD"),
        (MENTOR_SMS, "DD H9 bhyt xong"),
        (CADRE_SMS, "BC xyz"),
        (CADRE_SMS, "KT"),
        (CADRE_SMS, "KT H1 1100"),
        (CADRE_SMS, "KT H1 110000001100 25tr"),
        (CADRE_SMS, "CS xyzxyz qwqw"),
        (CADRE_SMS, "HT"),
        (CADRE_SMS, "HT H1 xyz 5tr"),
        (CADRE_SMS, "HT H1 vay_ho_can_ngheo 5tr"),
    ],
    ids=[
        "dd-empty", "dd-not-mine", "bc-unknown", "kt-empty", "kt-short", "kt-unusual-income",
        "cs-unknown", "ht-empty", "ht-unknown-policy", "ht-not-entitled",
    ],
)  # fmt: skip
async def test_every_example_in_an_error_of_a_code_is_accepted_when_sent_back(
    bot: Engine, seeded: Seeded, who: IdentityRef, wrong: str
) -> None:
    refused = await ask(bot, who, wrong)
    offered = examples_in(refused)

    assert offered, refused
    for example in offered:
        accepted = await ask(bot, who, example, short=not example.startswith("CS"))
        assert "Ví dụ:" not in accepted, (example, accepted)
        assert accepted.startswith(ACCEPTED), (example, accepted)


async def test_the_dk_example_is_read_as_a_whole_message_only_its_invite_is_unknown(
    bot: Engine,
) -> None:
    [example] = examples_in(await ask(bot, STRANGER_SMS, "DK"))

    reply = await ask(bot, STRANGER_SMS, example)

    assert reply.startswith("Mã mời không đúng."), "a well-formed DK: no invite has that code"


@pytest.mark.parametrize("words", ["hộ của tôi", "danh sach ho", "việc cần làm"])
async def test_a_mentor_asks_for_their_households_and_sees_each_open_task(
    bot: Engine, seeded: Seeded, words: str
) -> None:
    reply = await ask(bot, MENTOR_CHAT, words)

    lines = reply.splitlines()
    assert lines[0].startswith("Anh/chị đang đỡ đầu 2 hộ có ")
    assert lines[1].startswith("1. Hộ H1 – ")
    assert any(line.startswith("  • (4) Bảo hiểm y tế: hạn ") for line in lines)
    assert lines[-1].startswith("Trả lời từng việc: gõ “báo cáo việc”")
    assert (await ask(bot, OTHER_MENTOR, words)) == (
        "Anh/chị không có việc đỡ đầu nào đang mở. Cảm ơn anh/chị!"
    )
