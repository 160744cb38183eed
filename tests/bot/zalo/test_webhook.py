"""The Zalo webhook end to end: signed events in, the engine's replies out to the fake OA API."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.flows.engine import Engine
from bot.flows.messages import Inbound, Outbound
from bot.handlers.zalo.signature import PREFIX
from storage.models import Assessment, ConversationState, Identity, ProcessedUpdate
from tests.bot.fake_zalo import APP_ID
from tests.bot.zalo.conftest import (
    CADRE,
    STRANGER,
    Harness,
    Sessions,
    other_event,
    sign,
    text_event,
)

ASK_HOUSEHOLD = "Anh/chị muốn kiểm tra hộ nào?"


async def count(sessions: Sessions, model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_signed_text_is_answered_with_quick_replies_quoting_the_message(
    zalo: Harness,
) -> None:
    event = text_event(CADRE, "menu", zalo.clock.now, msg_id="96d3cdf3af150460909")
    assert await zalo.post(event) == 200
    await zalo.settle()

    [reply] = zalo.fake.to(CADRE)
    assert reply.token == zalo.fake.access_token
    assert reply.message["quote_message_id"] == "96d3cdf3af150460909"
    assert reply.buttons, "the menu's choices should be quick-reply buttons"
    assert {kind for _title, kind, _payload in reply.buttons} == {"oa.query.hide"}
    assert reply.text.startswith("Anh/chị muốn làm gì?")
    assert reply.buttons == [("Kiểm tra hộ", "oa.query.hide", "kiem tra")]


async def test_a_button_payload_answers_the_question_like_typing_it(zalo: Harness) -> None:
    await zalo.say(CADRE, "menu")
    [menu] = zalo.fake.to(CADRE)
    payload = menu.buttons[0][2]
    [asked] = await zalo.say(CADRE, payload)
    assert asked.startswith(ASK_HOUSEHOLD)


@pytest.mark.parametrize(
    ("why", "header", "app_id", "secret"),
    [
        ("unsigned", None, APP_ID, "oa-secret-for-tests"),
        ("wrong secret", "sign", APP_ID, "not-the-secret"),
        ("other app", "sign", "999999999999999999", "oa-secret-for-tests"),
        ("garbage", "mac=00ff", APP_ID, "oa-secret-for-tests"),
    ],
)
async def test_requests_not_signed_for_this_app_are_refused_and_never_processed(
    zalo: Harness, sessions: Sessions, why: str, header: str | None, app_id: str, secret: str
) -> None:
    event = text_event(CADRE, "kiem tra", zalo.clock.now)
    event["app_id"] = app_id
    raw = json.dumps(event).encode()
    value = sign(raw, app_id=app_id, secret=secret) if header == "sign" else header
    headers = {"Content-Type": "application/json"}
    if value is not None:
        headers["X-ZEvent-Signature"] = value
    response = await zalo.client.post("/channels/zalo/webhook", data=raw, headers=headers)
    assert response.status == 401, why
    await zalo.settle()
    assert zalo.fake.sent == []
    assert await count(sessions, ProcessedUpdate) == 0
    assert await count(sessions, ConversationState) == 0


async def test_a_body_changed_after_signing_is_refused(zalo: Harness, sessions: Sessions) -> None:
    raw = json.dumps(text_event(CADRE, "menu", zalo.clock.now)).encode()
    header = sign(raw)
    tampered = raw.replace(b"menu", b"huy!")
    response = await zalo.client.post(
        "/channels/zalo/webhook", data=tampered, headers={"X-ZEvent-Signature": header}
    )
    assert response.status == 401
    assert await count(sessions, ProcessedUpdate) == 0


async def test_the_signature_is_accepted_without_its_mac_prefix(zalo: Harness) -> None:
    raw = json.dumps(text_event(CADRE, "menu", zalo.clock.now)).encode()
    bare = sign(raw).removeprefix(PREFIX).upper()
    response = await zalo.client.post(
        "/channels/zalo/webhook", data=raw, headers={"X-ZEvent-Signature": bare}
    )
    assert response.status == 200
    await zalo.settle()
    assert len(zalo.fake.to(CADRE)) == 1


async def test_an_event_older_than_a_day_is_refused_as_a_replay(
    zalo: Harness, sessions: Sessions
) -> None:
    event = text_event(CADRE, "menu", zalo.clock.now - timedelta(days=2))
    assert await zalo.post(event) == 401
    assert await count(sessions, ProcessedUpdate) == 0


async def test_a_duplicate_delivery_is_answered_once(zalo: Harness, sessions: Sessions) -> None:
    event = text_event(CADRE, "kiem tra", zalo.clock.now, msg_id="5555")
    assert await zalo.post(event) == 200
    assert await zalo.post(event) == 200
    await zalo.settle()
    replies = zalo.fake.to(CADRE)
    assert [r.text[: len(ASK_HOUSEHOLD)] for r in replies] == [ASK_HOUSEHOLD]
    assert await count(sessions, ProcessedUpdate) == 1


@pytest.mark.parametrize(
    "name", ["oa_send_text", "user_received_message", "user_seen_message", "user_send_sticker"]
)
async def test_echoes_receipts_and_unknown_events_are_ignored(
    zalo: Harness, sessions: Sessions, name: str
) -> None:
    assert await zalo.post(other_event(name, CADRE, zalo.clock.now)) == 200
    await zalo.settle()
    assert zalo.fake.sent == []
    assert await count(sessions, ProcessedUpdate) == 0


async def test_a_text_event_without_a_sender_is_ignored(zalo: Harness) -> None:
    event = text_event(CADRE, "menu", zalo.clock.now)
    del event["sender"]
    assert await zalo.post(event) == 200
    await zalo.settle()
    assert zalo.fake.sent == []


async def test_a_new_follower_is_told_how_to_join_and_asked_to_share_the_phone(
    zalo: Harness,
) -> None:
    assert await zalo.post(other_event("follow", STRANGER, zalo.clock.now)) == 200
    await zalo.settle()
    greeting, request = zalo.fake.to(STRANGER)
    assert "mã mời" in greeting.text
    assert "quote_message_id" not in greeting.message
    assert request.template_type == "request_user_info"
    [element] = request.message["attachment"]["payload"]["elements"]
    assert element["title"] == "Đăng ký bằng số điện thoại"


async def test_unfollowing_marks_the_identity_blocked_and_following_again_clears_it(
    zalo: Harness, sessions: Sessions
) -> None:
    assert await zalo.post(other_event("unfollow", CADRE, zalo.clock.now)) == 200
    await zalo.settle()
    async with sessions() as session:
        blocked = await session.scalar(
            select(Identity.blocked_at).where(Identity.external_id == CADRE)
        )
    assert blocked is not None
    zalo.clock.advance(timedelta(minutes=5))
    assert await zalo.post(other_event("follow", CADRE, zalo.clock.now)) == 200
    await zalo.settle()
    async with sessions() as session:
        blocked = await session.scalar(
            select(Identity.blocked_at).where(Identity.external_id == CADRE)
        )
    assert blocked is None
    assert zalo.fake.to(CADRE), "a returning follower gets the menu"


async def test_emoji_and_overlong_messages_get_a_short_helpful_reply(zalo: Harness) -> None:
    [emoji, *_menu] = await zalo.say(CADRE, "🙂🙂")
    assert emoji == "Xin lỗi, tôi chưa hiểu ý anh/chị."
    [too_long, *_rest] = await zalo.say(CADRE, "a" * 600)
    assert too_long.startswith("Tin nhắn dài quá")


async def test_an_engine_failure_gets_an_apology_and_a_log_without_the_text(
    zalo: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(self: Engine, inbound: Inbound) -> list[Outbound]:
        raise RuntimeError(inbound.text)

    monkeypatch.setattr(Engine, "handle", broken)
    with caplog.at_level(logging.INFO):
        replies = await zalo.say(CADRE, "so dien thoai 0912345678")
    assert replies == ["Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút."]
    assert "RuntimeError" in caplog.text
    assert "0912345678" not in caplog.text


async def test_each_message_reopens_the_window_and_each_reply_counts(
    zalo: Harness, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        row = await session.scalar(select(Identity).where(Identity.external_id == CADRE))
        assert row is not None
        row.replies_since_inbound = 7
    sent = await zalo.say(CADRE, "menu")
    async with sessions() as session:
        row = await session.scalar(select(Identity).where(Identity.external_id == CADRE))
    assert row is not None
    assert row.last_inbound_at == zalo.clock.now
    assert row.replies_since_inbound == len(sent) == 1


async def test_a_whole_household_check_by_zalo_is_saved(zalo: Harness, sessions: Sessions) -> None:
    [asked] = await zalo.say(CADRE, "kiem tra")
    assert asked.startswith(ASK_HOUSEHOLD)
    [income] = await zalo.say(CADRE, "TL00001")
    assert income.startswith("Hộ TL00001 – ")
    await zalo.say(CADRE, "1tr2")
    question = zalo.fake.to(CADRE)[-1]
    numbered = presses = 0
    for _step in range(40):
        if question.text.endswith("Lưu kết quả kiểm tra này?"):
            break
        if question.buttons:
            # “Không” everywhere (the last button is “Không rõ”).
            await zalo.say(CADRE, question.buttons[-2][2])
            presses += 1
        else:
            if "\n1. " in question.text:
                numbered += 1
            await zalo.say(CADRE, "1")
        question = zalo.fake.to(CADRE)[-1]
    assert question.buttons == [
        ("Có", "oa.query.hide", "co"),
        ("Không", "oa.query.hide", "khong"),
    ]
    [saved] = await zalo.say(CADRE, "co")
    assert saved == (
        "Đã lưu kết quả kiểm tra hộ TL00001 (chuẩn 2022–2025, áp dụng năm 2026). Cảm ơn anh/chị!"
    )
    assert presses > 5
    assert numbered >= 1, "the seven water sources are numbered lines, not buttons"
    assert all(len(s.text) <= 2000 for s in zalo.fake.to(CADRE))
    async with sessions() as session:
        channels = (await session.scalars(select(Assessment.channel))).all()
    assert list(channels) == ["zalo"]
