"""Planning a mentor's digest chooses the Zalo identity, window open or not: the Zalo sender
decides when it sends (inside the window by Zalo, outside by ZNS or SMS, as configured). A person
who unfollowed is planned by SMS."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from scheduler.reminders import plan_mentor_digests
from storage.models import Identity, OutboxMessage
from tests.scheduler.test_reminders import CALENDAR, Sessions, seed

NOW = datetime.fromisoformat("2026-12-01T01:00:00+00:00")
ZALO_ID = "246845883529197999"


async def mentor_on_zalo(sessions: Sessions, wrote_ago: timedelta, replies: int) -> int:
    seeded = await seed(sessions, NOW - timedelta(days=1))
    async with sessions() as session, session.begin():
        await session.execute(delete(Identity).where(Identity.user_id == seeded.mentor_id))
        session.add(
            Identity(
                user_id=seeded.mentor_id,
                channel="zalo",
                external_id=ZALO_ID,
                created_at=NOW,
                last_inbound_at=NOW - wrote_ago,
                replies_since_inbound=replies,
            )
        )
    return seeded.mentor_id


async def planned(sessions: Sessions, user_id: int) -> list[tuple[str, str]]:
    async with sessions() as session, session.begin():
        await plan_mentor_digests(session, CALENDAR, NOW)
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.channel, OutboxMessage.external_id).where(
                OutboxMessage.user_id == user_id
            )
        )
        return [(channel, external) for channel, external in rows]


async def test_a_mentor_who_wrote_recently_gets_the_digest_by_zalo(sessions: Sessions) -> None:
    mentor = await mentor_on_zalo(sessions, timedelta(hours=5), replies=2)
    assert await planned(sessions, mentor) == [("zalo", ZALO_ID)]


@pytest.mark.parametrize(
    ("wrote_ago", "replies"), [(timedelta(hours=49), 0), (timedelta(hours=1), 8)]
)
async def test_a_mentor_outside_the_window_is_planned_on_zalo_for_the_sender_to_fall_back(
    sessions: Sessions, wrote_ago: timedelta, replies: int
) -> None:
    mentor = await mentor_on_zalo(sessions, wrote_ago, replies)
    assert await planned(sessions, mentor) == [("zalo", ZALO_ID)]


async def test_a_mentor_who_unfollowed_gets_the_digest_by_sms(sessions: Sessions) -> None:
    mentor = await mentor_on_zalo(sessions, timedelta(hours=1), replies=0)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Identity).where(Identity.external_id == ZALO_ID).values(blocked_at=NOW)
        )
    assert await planned(sessions, mentor) == [("sms", "+84912345678")]


async def test_a_mentor_on_both_zalo_and_telegram_is_reminded_on_zalo(sessions: Sessions) -> None:
    mentor = await mentor_on_zalo(sessions, timedelta(hours=100), replies=0)
    async with sessions() as session, session.begin():
        session.add(
            Identity(user_id=mentor, channel="telegram", external_id="5004", created_at=NOW)
        )

    assert await planned(sessions, mentor) == [("zalo", ZALO_ID)]
