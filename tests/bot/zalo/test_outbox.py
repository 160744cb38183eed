"""Reminders by Zalo inside the free-reply window, by SMS outside it, and Zalo's answers as
dispatcher results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.handlers.zalo.outbox import ZaloOutboxSender
from bot.handlers.zalo.setup import build_zalo
from bot.handlers.zalo.window import ReplyWindow
from scheduler.dispatcher import DispatchConfig, Dispatcher
from scheduler.sending import ChannelRouter, SendResult, SendStatus
from storage.models import Identity, OutboxMessage, User
from storage.outbox import ClaimedMessage, NewMessage, enqueue
from storage.recipients import addresses
from tests.bot.conftest import Area, Clock
from tests.bot.zalo.conftest import MENTOR, Harness, Sessions
from tests.conftest import PEOPLE_TZ

MENTOR_PHONE = "+84900000004"
DIGEST = "Nhắc việc: 2 hộ cần theo dõi trong tuần này."


def digest(choices: tuple[str, ...] = ()) -> ClaimedMessage:
    return ClaimedMessage(1, "digest:mentor:7:2026-11-23", "zalo", MENTOR, DIGEST, choices)


async def set_window(
    sessions: Sessions, zalo_id: str, *, wrote_ago: timedelta | None, replies: int, clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        row = await session.scalar(select(Identity).where(Identity.external_id == zalo_id))
        assert row is not None
        row.last_inbound_at = clock.now - wrote_ago if wrote_ago is not None else None
        row.replies_since_inbound = replies


async def replies_used(sessions: Sessions, zalo_id: str) -> int:
    async with sessions() as session:
        used = await session.scalar(
            select(Identity.replies_since_inbound).where(Identity.external_id == zalo_id)
        )
    assert used is not None
    return used


async def test_a_reminder_inside_the_window_goes_by_zalo_and_counts(
    zalo: Harness, sessions: Sessions
) -> None:
    sms = zalo.sms
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=47), replies=7, clock=zalo.clock)
    result = await zalo.zalo.sender.send(digest(("Đã xong", "Chưa xong")))
    assert result.status is SendStatus.SENT
    [sent] = zalo.fake.to(MENTOR)
    assert sent.text == DIGEST
    assert sent.buttons == [
        ("Đã xong", "oa.query.hide", "Đã xong"),
        ("Chưa xong", "oa.query.hide", "Chưa xong"),
    ]
    assert "quote_message_id" not in sent.message
    assert sms.got == []
    assert await replies_used(sessions, MENTOR) == 8


@pytest.mark.parametrize(
    ("why", "wrote_ago", "replies"),
    [
        ("48 hours passed", timedelta(hours=48), 0),
        ("8 replies used", timedelta(hours=1), 8),
        ("never wrote", None, 0),
    ],
)
async def test_a_reminder_outside_the_window_goes_by_sms_to_the_users_phone(
    zalo: Harness,
    sessions: Sessions,
    why: str,
    wrote_ago: timedelta | None,
    replies: int,
) -> None:
    sms = zalo.sms
    await set_window(sessions, MENTOR, wrote_ago=wrote_ago, replies=replies, clock=zalo.clock)
    result = await zalo.zalo.sender.send(digest(("Đã xong",)))
    assert result.status is SendStatus.SENT, why
    assert zalo.fake.sent == []
    [fallback] = sms.got
    assert (fallback.channel, fallback.external_id) == ("sms", MENTOR_PHONE)
    assert (fallback.key, fallback.text, fallback.choices) == (
        "digest:mentor:7:2026-11-23",
        DIGEST,
        ("Đã xong",),
    )


async def test_zalo_saying_the_window_is_closed_sends_sms_and_closes_it_here_too(
    zalo: Harness, sessions: Sessions
) -> None:
    sms = zalo.sms
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=2), replies=0, clock=zalo.clock)
    zalo.fake.fail_next(-213)
    result = await zalo.zalo.sender.send(digest())
    assert result.status is SendStatus.SENT
    assert len(sms.got) == 1
    assert await replies_used(sessions, MENTOR) == ReplyWindow().messages


@pytest.mark.parametrize(
    ("failure", "expected"),
    [(502, SendStatus.TEMPORARY), (-201, SendStatus.BLOCKED), (-124, SendStatus.REJECTED)],
)
async def test_zalo_errors_become_dispatcher_answers(
    zalo: Harness, sessions: Sessions, failure: int, expected: SendStatus
) -> None:
    sms = zalo.sms
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=2), replies=3, clock=zalo.clock)
    zalo.fake.fail_next(failure)
    result = await zalo.zalo.sender.send(digest())
    assert result.status is expected
    assert sms.got == []
    assert await replies_used(sessions, MENTOR) == 3, "a message not sent does not count"


async def test_without_an_sms_sender_or_a_phone_the_reminder_is_refused(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    await set_window(sessions, MENTOR, wrote_ago=None, replies=0, clock=zalo.clock)
    without_sms = ZaloOutboxSender(zalo.zalo.client, sessions, zalo.clock)
    assert (await without_sms.send(digest())).status is SendStatus.REJECTED
    zalo.sms.answer = SendResult.blocked("number unreachable")
    refused = await zalo.zalo.sender.send(digest())
    assert refused.status is SendStatus.REJECTED, "an SMS refusal must not block the Zalo chat"
    async with sessions() as session, session.begin():
        user = await session.get(User, area.users["mentor"])
        assert user is not None
        user.phone = None
    zalo.sms.got.clear()
    assert (await zalo.zalo.sender.send(digest())).status is SendStatus.REJECTED
    assert zalo.sms.got == []
    assert zalo.fake.sent == []


async def test_planning_addresses_the_zalo_chat_and_leaves_the_window_to_the_sender(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    mentor = area.users["mentor"]
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=50), replies=0, clock=zalo.clock)
    async with sessions() as session:
        found = await addresses(session, [mentor])
    assert (found[mentor].channel, found[mentor].external_id) == ("zalo", MENTOR)


async def test_dispatcher_sends_a_mentor_reminder_by_zalo_then_by_sms_once_the_window_closed(
    zalo: Harness, sessions: Sessions, clock: Clock
) -> None:
    sms = zalo.sms
    zalo_sender = zalo.zalo.sender
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=1), replies=0, clock=clock)
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            [
                NewMessage("digest:a", "zalo", MENTOR, "Nhắc việc hôm nay."),
                NewMessage(
                    "digest:b",
                    "zalo",
                    MENTOR,
                    "Nhắc việc ngày mai.",
                    not_before=clock.now + timedelta(days=2),
                ),
            ],
            clock.now,
        )
    dispatcher = Dispatcher(
        sessions,
        ChannelRouter({"zalo": zalo_sender, "sms": sms}),
        worker="w1",
        clock=clock,
        config=DispatchConfig(per_second=100, chat_interval=0.0),
    )
    assert (await dispatcher.run_once()).sent == 1
    clock.advance(timedelta(days=2))
    assert (await dispatcher.run_once()).sent == 1

    assert [s.text for s in zalo.fake.to(MENTOR)] == ["Nhắc việc hôm nay."]
    assert [(m.channel, m.external_id, m.text) for m in sms.got] == [
        ("sms", MENTOR_PHONE, "Nhắc việc ngày mai.")
    ]
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage.state))).all()
    assert list(rows) == ["sent", "sent"]


async def test_build_zalo_refuses_without_the_app_settings(
    zalo: Harness, sessions: Sessions
) -> None:
    from bot.flows.engine import Engine
    from bot.handlers.zalo.setup import ZaloNotConfiguredError
    from bot.settings import Settings

    with pytest.raises(ZaloNotConfiguredError):
        build_zalo(Settings(), Engine(sessions, zalo.clock, [], tz=PEOPLE_TZ), sessions, zalo.clock)
