"""Reminders by ZNS when Zalo's free-reply window is closed, SMS when ZNS fails, in the order
the settings give; every send recorded with the channel it went out on and its cost class."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.flows.engine import Engine
from bot.handlers.zalo.setup import Zalo, build_zalo
from bot.handlers.zalo.zns import zns_phone
from bot.settings import Settings, ZnsTemplate
from scheduler.dispatcher import DispatchConfig, Dispatcher
from scheduler.sending import ChannelRouter, SendResult
from storage.models import OutboxMessage
from storage.outbox import NewMessage, delivery_counts, enqueue
from tests.bot.conftest import Clock
from tests.bot.zalo.conftest import MENTOR, Harness, Sessions, zalo_settings
from tests.bot.zalo.test_outbox import set_window

DIGEST = "Nhắc việc: 2 hộ cần theo dõi\ntrong tuần này."
TEMPLATES = {
    "digest": {
        "template_id": "231111",
        "params": {"customer_name": "{ten}", "content": "{noi_dung}", "date": "{ngay}"},
        "max_length": 30,
    }
}


async def dispatched(
    zalo: Harness, sessions: Sessions, clock: Clock, sender: Zalo, key: str = "digest:mentor:1"
) -> tuple[str, str | None, str | None]:
    """Queue one reminder for the mentor's Zalo and dispatch it: (state, via, cost)."""
    async with sessions() as session, session.begin():
        await enqueue(session, [NewMessage(key, "zalo", MENTOR, DIGEST)], clock.now)
    dispatcher = Dispatcher(
        sessions,
        ChannelRouter({"zalo": sender.sender, "sms": zalo.sms}),
        worker="w1",
        clock=clock,
        config=DispatchConfig(per_second=100, chat_interval=0.0),
    )
    await dispatcher.run_once()
    async with sessions() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )
    assert row is not None
    return row.state, row.sent_via, row.cost_class


@pytest.fixture
async def zns(zalo: Harness, sessions: Sessions, clock: Clock, bot: Engine) -> AsyncIterator[Zalo]:
    """The Zalo channel with ZNS on (falling back to the harness's SMS recorder), the mentor's
    window closed."""
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=49), replies=0, clock=clock)
    settings = zalo_settings(
        zalo.fake, zalo_zns_url=zalo.fake.zns_url, zalo_zns_templates=TEMPLATES
    )
    async with build_zalo(settings, bot, sessions, clock, fallback=zalo.sms) as channel:
        yield channel


async def test_outside_the_window_a_reminder_goes_by_zns_with_the_template_filled_in(
    zalo: Harness, sessions: Sessions, clock: Clock, zns: Zalo
) -> None:
    assert await dispatched(zalo, sessions, clock, zns) == ("sent", "zns", "zns")

    [sent] = zalo.fake.zns
    assert (sent.phone, sent.template_id, sent.tracking_id) == (
        "84900000004",
        "231111",
        "digest:mentor:1",
    )
    assert sent.data == {
        "customer_name": "Người dùng mentor",
        "content": "Nhắc việc: 2 hộ cần theo dõi t",
        "date": "23/11/2026",
    }
    assert sent.mode is None
    assert zalo.fake.sent == []
    assert zalo.sms.got == []


async def test_when_zns_fails_the_reminder_goes_by_sms_and_is_recorded_so(
    zalo: Harness, sessions: Sessions, clock: Clock, zns: Zalo
) -> None:
    zalo.fake.fail_next_zns(-124)

    assert await dispatched(zalo, sessions, clock, zns) == ("sent", "sms", "sms")
    [sms] = zalo.sms.got
    assert (sms.channel, sms.external_id, sms.text) == ("sms", "+84900000004", DIGEST)


async def test_zns_unreachable_falls_to_sms_too(
    zalo: Harness, sessions: Sessions, clock: Clock, zns: Zalo
) -> None:
    zalo.fake.fail_next_zns(502)

    assert await dispatched(zalo, sessions, clock, zns) == ("sent", "sms", "sms")


async def test_a_kind_without_a_template_skips_zns(
    zalo: Harness, sessions: Sessions, clock: Clock, zns: Zalo
) -> None:
    assert await dispatched(zalo, sessions, clock, zns, key="escalation:3:2026-11-23") == (
        "sent",
        "sms",
        "sms",
    )
    assert zalo.fake.zns == []


async def test_inside_the_window_the_reminder_is_a_free_zalo_message(
    zalo: Harness, sessions: Sessions, clock: Clock, zns: Zalo
) -> None:
    await set_window(sessions, MENTOR, wrote_ago=timedelta(hours=2), replies=0, clock=clock)

    assert await dispatched(zalo, sessions, clock, zns) == ("sent", "zalo", "free")
    assert [s.text for s in zalo.fake.to(MENTOR)] == [DIGEST]
    assert zalo.fake.zns == []


async def test_the_order_of_fallbacks_is_a_setting(
    zalo: Harness, sessions: Sessions, clock: Clock, bot: Engine
) -> None:
    await set_window(sessions, MENTOR, wrote_ago=None, replies=0, clock=clock)
    settings = zalo_settings(
        zalo.fake,
        zalo_zns_url=zalo.fake.zns_url,
        zalo_zns_templates=TEMPLATES,
        zalo_fallback_order=["sms", "zns"],
    )
    zalo.sms.answer = SendResult.temporary("gateway down")
    async with build_zalo(settings, bot, sessions, clock, fallback=zalo.sms) as channel:
        assert await dispatched(zalo, sessions, clock, channel) == ("sent", "zns", "zns")
    assert len(zalo.sms.got) == 1, "SMS was tried first"


async def test_zns_in_development_mode_says_so(
    zalo: Harness, sessions: Sessions, clock: Clock, bot: Engine
) -> None:
    await set_window(sessions, MENTOR, wrote_ago=None, replies=0, clock=clock)
    settings = zalo_settings(
        zalo.fake,
        zalo_zns_url=zalo.fake.zns_url,
        zalo_zns_templates={"*": TEMPLATES["digest"]},
        zalo_zns_mode="development",
    )
    async with build_zalo(settings, bot, sessions, clock, fallback=zalo.sms) as channel:
        await dispatched(zalo, sessions, clock, channel, key="report:1:2026-q4:T-3:9")
    assert [s.mode for s in zalo.fake.zns] == ["development"]


async def test_a_manager_can_count_what_was_sent_by_channel_and_cost(
    zalo: Harness, sessions: Sessions, clock: Clock, zns: Zalo
) -> None:
    await dispatched(zalo, sessions, clock, zns, key="digest:a")
    zalo.fake.fail_next_zns(-124)
    await dispatched(zalo, sessions, clock, zns, key="digest:b")
    await dispatched(zalo, sessions, clock, zns, key="digest:c")

    async with sessions() as session:
        counts = await delivery_counts(session, clock.now - timedelta(days=1))
    assert [(c.via, c.cost, c.count) for c in counts] == [("sms", "sms", 1), ("zns", "zns", 2)]


def test_zns_wants_the_phone_in_84_form() -> None:
    assert [zns_phone(p) for p in ("+84912345678", "0912345678", "84912345678", "12")] == [
        "84912345678",
        "84912345678",
        "84912345678",
        None,
    ]


def test_a_template_parameter_may_use_only_the_known_fields() -> None:
    with pytest.raises(ValidationError, match="use only"):
        ZnsTemplate(template_id="1", params={"name": "{ho_ten}"})
    with pytest.raises(ValidationError):
        Settings(zalo_fallback_order=["telegram"])
