"""Zalo first, proven through ``giamngheo run`` as a process against the fake Zalo API (on the
test database: SQLite, or PostgreSQL when the run is pointed at it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audit import Actor
from storage.invites import create_invite
from storage.models import CheckPhoto, Identity, OutboxMessage, User
from storage.outbox import NewMessage, enqueue
from storage.units import find_unit
from tests.bot.zalo.process import ZALO_IDS, ZaloProcess, event, zalo_process

pytestmark = [pytest.mark.db, pytest.mark.slow]

MANAGER = ZALO_IDS["manager"]
MENTOR = ZALO_IDS["mentor"]
MENTOR_PHONE = "+84900000004"
TEMPLATES = {"digest": {"template_id": "231111", "params": {"ten": "{ten}", "viec": "{noi_dung}"}}}


@pytest.fixture(scope="module")
async def server(
    engine: AsyncEngine, database_url: str, test_schema: str | None
) -> AsyncIterator[ZaloProcess]:
    async with zalo_process(
        engine,
        database_url,
        test_schema,
        GIAMNGHEO_ZALO_ZNS_TEMPLATES=json.dumps(TEMPLATES),
        GIAMNGHEO_ZALO_FALLBACK_ORDER='["zns", "sms"]',
    ) as running:
        yield running


async def test_a_manager_on_zalo_receives_the_summary_chart_and_pdf_appendices(
    server: ZaloProcess,
) -> None:
    [text, chart, first, second] = await server.say(MANAGER, "tóm tắt", count=4)

    assert text.startswith("Tóm tắt năm ")
    assert "Gửi kèm bên dưới:" in text
    sent = server.fake.to(MANAGER)[-3:]
    image = server.fake.upload_of(sent[0].image_id)
    assert (image.kind, image.data[:4]) == ("image", b"\x89PNG")
    assert chart.startswith("Tỷ lệ hộ nghèo và thiếu hụt theo chỉ số")
    files = [server.fake.upload_of(s.file_token) for s in sent[1:]]
    assert [f.filename.split("-")[:3] for f in files] == [
        ["phu", "luc", "1"],
        ["phu", "luc", "2"],
    ]
    assert all(f.filename.endswith(".pdf") and f.data.startswith(b"%PDF-") for f in files)
    assert (first, second) == ("", "")


async def reminder(server: ZaloProcess, key: str, text: str) -> None:
    """A due digest for the demo mentor's Zalo, as the planner writes it (not held for quiet
    hours: the process runs on the real clock)."""
    async with server.sessions() as session, session.begin():
        message = NewMessage(f"digest:mentor:{key}", "zalo", MENTOR, text, quiet=False)
        await enqueue(session, [message], datetime.now(UTC))


async def delivery(server: ZaloProcess, key: str) -> tuple[str | None, str | None]:
    """The channel and cost class the row was recorded with, once the process recorded it."""
    query = select(OutboxMessage.state, OutboxMessage.sent_via, OutboxMessage.cost_class).where(
        OutboxMessage.idempotency_key == f"digest:mentor:{key}"
    )
    async with asyncio.timeout(10):
        while True:
            async with server.sessions() as session:
                state, via, cost = (await session.execute(query)).one()
            if state in ("sent", "failed", "blocked"):
                return via, cost
            await asyncio.sleep(0.1)


async def test_a_mentor_whose_window_is_closed_gets_the_reminder_by_zns(
    server: ZaloProcess,
) -> None:
    await reminder(server, "zns", "Nhắc việc: 2 hộ cần theo dõi tuần này.")

    await server.fake.wait_for(lambda: len(server.fake.zns) == 1, 30)
    [sent] = server.fake.zns
    assert (sent.phone, sent.template_id) == ("84900000004", "231111")
    assert sent.data["viec"] == "Nhắc việc: 2 hộ cần theo dõi tuần này."
    assert server.fake.to(MENTOR) == []
    assert await delivery(server, "zns") == ("zns", "zns")


async def test_when_zns_fails_the_mentor_gets_the_reminder_by_sms(server: ZaloProcess) -> None:
    server.fake.fail_next_zns(-124)
    await reminder(server, "sms", "Nhắc việc: hộ TL00001 cần theo dõi.")

    await server.sms.wait_for(lambda: bool(server.sms.sent_to(MENTOR_PHONE)), 30)
    assert server.sms.sent_to(MENTOR_PHONE) == ["Nhac viec: ho TL00001 can theo doi."]
    assert await delivery(server, "sms") == ("sms", "sms")


async def test_a_person_invited_by_phone_is_linked_by_sharing_their_number(
    server: ZaloProcess,
) -> None:
    newcomer = "246845883529190077"
    async with server.sessions() as session, session.begin():
        unit = await find_unit(session, "Tân Lập")
        now = datetime.now(UTC)
        await create_invite(session, "mentor", unit, Actor("test"), now, phone="0913 222 333")

    assert await server.post(event("follow", newcomer)) == 200
    greeting, request = await server.fake.wait_sent(newcomer, 2, 30)
    assert "mã mời" in greeting.text
    assert request.template_type == "request_user_info"
    info = {"info": {"name": "Lê Thị Hoa", "phone": "84913222333"}}
    assert await server.post(event("user_submit_info", newcomer, **info)) == 200
    welcome, menu = (await server.fake.wait_sent(newcomer, 4, 30))[2:]

    assert welcome.text.startswith("Chào mừng Lê Thị Hoa! Số điện thoại của anh/chị khớp")
    assert menu.text.startswith("Anh/chị muốn làm gì?")
    async with server.sessions() as session:
        phone = await session.scalar(
            select(User.phone).join(Identity).where(Identity.external_id == newcomer)
        )
    assert phone == "+84913222333"


async def test_a_photo_sent_during_a_household_check_is_kept_with_it(server: ZaloProcess) -> None:
    cadre = ZALO_IDS["cadre"]
    server.fake.photos["bep.jpg"] = b"\xff\xd8\xff\xe0" + b"bep" * 500
    await server.say(cadre, "kiem tra")
    await server.say(cadre, "TL00001")
    photo = {
        "attachments": [{"type": "image", "payload": {"url": server.fake.photo_url("bep.jpg")}}]
    }
    body = event("user_send_image", cadre, message={"msg_id": f"p{cadre}", **photo})

    before = len(server.fake.to(cadre))
    assert await server.post(body) == 200
    [receipt] = (await server.fake.wait_sent(cadre, before + 1, 30))[before:]

    assert receipt.text.startswith("Đã nhận ảnh cho hộ TL00001;")
    async with server.sessions() as session:
        kept = await session.scalar(select(CheckPhoto.file_ref))
    assert kept == server.fake.photo_url("bep.jpg")
