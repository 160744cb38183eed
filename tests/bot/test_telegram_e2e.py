"""Telegram end to end: ``giamngheo run`` as a real process against the fake Bot API server, on
the test database (SQLite, or PostgreSQL in its own schema).

One bot process (long polling) serves the tests of this module, each in chats of its own; the
webhook tests start their own process. Invites and revocations go through the real
``giamngheo`` commands.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import session_factory
from storage.models import AdminUnit, Assessment, CheckPhoto, Identity, RoleGrant, User
from tests.bot.fake_telegram import Call, FakeTelegram
from tests.bot.telegram_harness import (
    CHATS,
    GIAMNGHEO,
    BotProcess,
    bot_env,
    free_port,
    seed_demo,
    start_bot,
    stop_bot,
)
from tests.conftest import _empty_all_tables

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_STEPS = 40
NO_ACCESS = "Xin lỗi, số này chưa được cấp quyền dùng Trợ lý Giảm nghèo."


@pytest.fixture(scope="module")
async def demo(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The demo commune with this year's figures, the four demo users on Telegram."""
    await _empty_all_tables(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    await seed_demo(sessions, now, now.astimezone(TZ).year)
    return sessions


@pytest.fixture(scope="module")
def env(
    demo: async_sessionmaker[AsyncSession],
    module_fake: FakeTelegram,
    database_url: str,
    test_schema: str | None,
) -> dict[str, str]:
    return bot_env(database_url, test_schema, module_fake)


@pytest.fixture(scope="module")
async def polling_bot(env: dict[str, str], module_fake: FakeTelegram) -> AsyncIterator[BotProcess]:
    process = await start_bot(env, module_fake)
    try:
        yield process
    finally:
        code = await stop_bot(process)
    assert code == 0, "giamngheo run did not stop cleanly on SIGTERM"


async def giamngheo(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run a ``giamngheo`` command without blocking the loop the fake server runs on."""
    process = await asyncio.create_subprocess_exec(
        str(GIAMNGHEO),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def reply_to(module_fake: FakeTelegram, chat: int, text: str, count: int = 1) -> list[Call]:
    """Send ``text`` from ``chat``; the ``count`` messages or files the bot sends back."""
    before = len(module_fake.sent(chat))
    await module_fake.send_text(chat, text)
    sent = await module_fake.wait_sent(chat, before + count)
    return sent[before:]


async def press(module_fake: FakeTelegram, question: Call, data: str, count: int = 1) -> list[Call]:
    chat = question.chat_id
    assert chat is not None
    before = len(module_fake.sent(chat))
    await module_fake.press(question, data)
    sent = await module_fake.wait_sent(chat, before + count)
    return sent[before:]


async def test_stranger_gets_a_polite_note_and_nothing_else(
    polling_bot: BotProcess, module_fake: FakeTelegram
) -> None:
    for text in ("kiem tra TL00001", "/start", "/tomtat"):
        [reply] = await reply_to(module_fake, 7001, text)
        assert reply.text.startswith(NO_ACCESS)
        assert "dang ky <mã mời>" in reply.text
        assert reply.buttons == []


async def test_onboarding_from_an_invite_link_registers_the_account_once(
    polling_bot: BotProcess, module_fake: FakeTelegram, env: dict[str, str]
) -> None:
    code, out, err = await giamngheo(
        env, "invite", "create", "--role", "cadre", "--unit", "Quảng Trị / Tân Lập"
    )
    assert code == 0, err
    match = re.search(r"https://t\.me/TroLyGiamNgheoTestBot\?start=([A-Z0-9]{10})", out)
    assert match, out
    invite = match[1]

    [question] = await reply_to(module_fake, 7002, f"/start {invite}")
    assert question.text.startswith("Mã mời hợp lệ: vai trò cán bộ rà soát, địa bàn Tân Lập.")
    welcome, menu = await reply_to(module_fake, 7002, "Nguyễn Thị Lan", count=2)

    assert welcome.text.startswith("Chào mừng Nguyễn Thị Lan! Anh/chị đã được cấp quyền")
    assert ("Kiểm tra hộ", "kiem tra") in menu.buttons
    [again] = await reply_to(module_fake, 7003, f"/start {invite}")
    assert again.text.startswith("Mã mời này đã được dùng")


async def test_household_check_by_button_presses_is_saved(
    polling_bot: BotProcess,
    module_fake: FakeTelegram,
    demo: async_sessionmaker[AsyncSession],
) -> None:
    chat = CHATS["cadre"]
    [ask] = await reply_to(module_fake, chat, "/kiemtra")
    assert ask.text.startswith("Anh/chị muốn kiểm tra hộ nào?")
    [income] = await reply_to(module_fake, chat, "TL00001")
    assert income.text.startswith("Hộ TL00001 – ")
    [question] = await reply_to(module_fake, chat, "1tr2")
    presses = 0
    for _step in range(MAX_STEPS):
        if question.text.endswith("Lưu kết quả kiểm tra này?"):
            break
        if question.buttons:
            [question] = await press(module_fake, question, question.buttons[0][1])
            presses += 1
        else:
            [question] = await reply_to(module_fake, chat, "1")
    assert question.buttons == [("Có", "co"), ("Không", "khong")]
    [saved] = await press(module_fake, question, "co")

    assert saved.text == (
        "Đã lưu kết quả kiểm tra hộ TL00001 (chuẩn 2022–2025, áp dụng năm 2026). Cảm ơn anh/chị!"
    )
    assert len(module_fake.sent(chat, "answerCallbackQuery")) == 0  # answered by query id, not chat
    answered = [c for c in module_fake.calls if c.method == "answerCallbackQuery"]
    assert len(answered) >= presses + 1
    edited = module_fake.sent(chat, "editMessageText")
    assert edited
    assert edited[-1].text.endswith("» Có")
    async with demo() as session:
        channels = (await session.scalars(select(Assessment.channel))).all()
    assert "telegram" in channels


async def test_policy_lookup_answers_in_the_chat(
    polling_bot: BotProcess, module_fake: FakeTelegram
) -> None:
    replies = await reply_to(module_fake, CHATS["mentor"], "bảo hiểm y tế")

    assert "Bảo hiểm y tế" in replies[0].text


async def test_manager_summary_sends_figures_chart_and_both_appendices(
    polling_bot: BotProcess, module_fake: FakeTelegram
) -> None:
    chat = CHATS["manager"]
    year = datetime.now(TZ).year
    text, chart, first, second = await reply_to(module_fake, chat, "/tomtat", count=4)

    assert text.method == "sendMessage"
    assert text.text.startswith(f"Tóm tắt năm {year} – Quảng Trị / Tân Lập")
    assert "• Thôn Tân Hòa: " in text.text
    assert chart.method == "sendPhoto"
    name, data = chart.files["photo"]
    assert name == f"tom-tat-tan-lap-{year}.png"
    assert data.startswith(b"\x89PNG")
    assert [c.method for c in (first, second)] == ["sendDocument", "sendDocument"]
    assert first.files["document"][0] == f"phu-luc-1-tan-lap-{year}.xlsx"
    assert second.files["document"][0] == f"phu-luc-2-tan-lap-{year}.xlsx"
    assert all(c.files["document"][1].startswith(b"PK") for c in (first, second))

    [progress] = await reply_to(module_fake, chat, "tiến độ")
    assert progress.text.startswith("Tiến độ rà soát hộ – Tân Lập")
    assert "Cả địa bàn: " in progress.text


async def test_a_duplicate_update_is_answered_once(
    polling_bot: BotProcess, module_fake: FakeTelegram
) -> None:
    chat = CHATS["admin"]
    update = {
        "update_id": module_fake.next_update_id(),
        "message": module_fake.message_update(chat, "menu"),
    }
    await module_fake.push(dict(update))
    await module_fake.push(dict(update))
    await module_fake.send_text(chat, "/giup")

    await module_fake.wait_sent(chat, 2)
    await asyncio.sleep(0.3)
    assert len(module_fake.sent(chat)) == 2


async def test_revoked_user_is_refused_at_once(
    polling_bot: BotProcess,
    module_fake: FakeTelegram,
    env: dict[str, str],
    demo: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with demo() as session, session.begin():
        user = User(name="Cán bộ sắp nghỉ", created_at=now)
        session.add(user)
        await session.flush()
        identity = Identity(user_id=user.id, channel="telegram", external_id="7020", created_at=now)
        session.add(identity)
        commune = await session.scalar(select(AdminUnit.id).where(AdminUnit.level == "commune"))
        assert commune is not None
        session.add(RoleGrant(user_id=user.id, role="cadre", unit_id=commune, granted_at=now))
    [menu] = await reply_to(module_fake, 7020, "menu")
    assert menu.text.startswith("Anh/chị muốn làm gì?")

    code, _out, err = await giamngheo(env, "users", "revoke", str(user.id))
    assert code == 0, err
    [refused] = await reply_to(module_fake, 7020, "kiem tra")

    assert refused.text.startswith("Quyền dùng Trợ lý Giảm nghèo của anh/chị đã bị thu hồi.")
    async with demo() as session:
        active = await session.scalar(
            select(func.count()).where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None))
        )
    assert active == 0


async def test_command_menu_is_set_in_vietnamese(
    polling_bot: BotProcess, module_fake: FakeTelegram
) -> None:
    [call] = [c for c in module_fake.calls if c.method == "setMyCommands"][:1]
    commands = {c["command"]: c["description"] for c in json.loads(call.params["commands"])}

    assert list(commands) == ["start", "kiemtra", "chinhsach", "tomtat", "huy", "giup"]
    assert commands["kiemtra"] == "Kiểm tra một hộ theo chuẩn nghèo"


async def test_webhook_accepts_updates_only_with_the_secret_and_stops_on_sigterm(
    module_fake: FakeTelegram, env: dict[str, str]
) -> None:
    port = free_port()
    secret = "webhook-Secret_42"
    webhook_env = {
        **env,
        "GIAMNGHEO_HTTP_PORT": str(port),
        "GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET": secret,
    }
    public = f"http://127.0.0.1:{port}"
    process = await start_bot(
        webhook_env, module_fake, "--webhook", public, ready_method="setWebhook"
    )
    try:
        [registered] = [c for c in module_fake.calls if c.method == "setWebhook"][-1:]
        assert registered.params["url"] == f"{public}/channels/telegram/webhook"
        assert registered.params["secret_token"] == secret
        url = f"{public}/channels/telegram/webhook"
        chat = 7030
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{public}/healthz") as health:
                assert health.status == 200
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                update = {"update_id": 900001, "message": module_fake.message_update(chat, "menu")}
                async with client.post(url, json=update, headers=headers) as response:
                    assert response.status == 401
            assert module_fake.sent(chat) == []
            update = {"update_id": 900002, "message": module_fake.message_update(chat, "menu")}
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with client.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        [reply] = module_fake.sent(chat)
        assert reply.text.startswith(NO_ACCESS)
    finally:
        code = await stop_bot(process)
    assert code == 0


async def test_run_without_a_token_says_how_to_get_one() -> None:
    process = await asyncio.create_subprocess_exec(
        str(GIAMNGHEO),
        "run",
        env={"PATH": "/usr/bin:/bin", "GIAMNGHEO_DATABASE_URL": "sqlite+aiosqlite:///:memory:"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 1
    assert "GIAMNGHEO_TELEGRAM_TOKEN" in err.decode()
    assert "@BotFather" in err.decode()


async def test_a_photo_during_a_household_check_is_kept_with_it_once(
    polling_bot: BotProcess,
    module_fake: FakeTelegram,
    demo: async_sessionmaker[AsyncSession],
) -> None:
    chat = CHATS["admin"]
    await reply_to(module_fake, chat, "/kiemtra")
    await reply_to(module_fake, chat, "TL00002")
    photo = b"\xff\xd8\xff\xe0" + b"nha-tieu" * 300

    before = len(module_fake.sent(chat))
    update = await module_fake.send_photo(chat, photo)
    await module_fake.push(dict(update))  # delivered twice
    [receipt] = (await module_fake.wait_sent(chat, before + 1))[before:]
    await reply_to(module_fake, chat, "/huy")

    assert receipt.text.startswith("Đã nhận ảnh cho hộ TL00002;")
    async with demo() as session:
        kept = (await session.scalars(select(CheckPhoto.file_ref))).all()
    assert list(kept) == [update["message"]["photo"][-1]["file_id"]]
    assert len(module_fake.sent(chat)) == before + 2, "the second delivery got no reply"
