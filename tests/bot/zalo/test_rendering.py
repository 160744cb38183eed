"""Engine replies in Zalo's shapes: 2,000-character pieces, quick replies, numbered lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.flows.messages import Option
from bot.handlers.zalo.events import read_event
from bot.handlers.zalo.rendering import MAX_TEXT, messages
from bot.handlers.zalo.signature import SignatureError, signature, verify_event

YES_NO = (Option("co", "Có"), Option("khong", "Không"))


def test_a_long_reply_is_cut_between_paragraphs_with_the_buttons_on_the_last_piece() -> None:
    text = "\n\n".join(f"Đoạn {i}: " + " ".join(["chữ"] * 120) for i in range(10))
    pieces = messages(text, YES_NO, quote="m1")
    assert len(pieces) > 1
    assert all(len(p["text"]) <= MAX_TEXT for p in pieces)
    assert "\n\n".join(p["text"] for p in pieces) == text
    assert [("attachment" in p) for p in pieces] == [False] * (len(pieces) - 1) + [True]
    assert all(p["quote_message_id"] == "m1" for p in pieces)


def test_a_word_longer_than_the_limit_is_still_cut() -> None:
    pieces = messages("x" * (MAX_TEXT * 2 + 5))
    assert [len(p["text"]) for p in pieces] == [MAX_TEXT, MAX_TEXT, 5]


def test_more_options_than_buttons_become_numbered_lines() -> None:
    options = tuple(Option(f"nguon_{i}", f"Nguồn {i}") for i in range(1, 8))
    [message] = messages("Hộ dùng nguồn nước nào?", options)
    assert "attachment" not in message
    assert message["text"].endswith(
        "\n1. Nguồn 1\n2. Nguồn 2\n3. Nguồn 3\n4. Nguồn 4\n5. Nguồn 5\n6. Nguồn 6\n7. Nguồn 7"
    )


def test_digit_and_overlong_keys_send_the_option_number_instead() -> None:
    options = (Option("5", "Năm người"), Option("k" * 80, "Dài"), Option("co", "Có"))
    [message] = messages("Chọn:", options)
    payloads = [b["payload"] for b in message["attachment"]["payload"]["buttons"]]
    assert payloads == ["1", "2", "co"]


def test_an_empty_reply_is_not_sent_empty() -> None:
    assert [m["text"] for m in messages("  ")] == ["…"]


NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def raw_event(timestamp: str = str(int(NOW.timestamp() * 1000))) -> bytes:
    return (
        '{"app_id": "42", "event_name": "user_send_text", "sender": {"id": 1234567890123456789},'
        f' "message": {{"text": "Có", "msg_id": "abc"}}, "timestamp": "{timestamp}"}}'
    ).encode()


def test_a_signed_event_is_read_with_its_large_ids_exact() -> None:
    raw = raw_event()
    event = verify_event(
        raw,
        signature("42", raw, str(int(NOW.timestamp() * 1000)), "s"),
        app_id="42",
        oa_secret="s",
        now=NOW,
        max_age=timedelta(days=1),
    )
    parsed = read_event(event, NOW)
    assert parsed is not None
    assert (parsed.user_id, parsed.text, parsed.update_id) == (
        "1234567890123456789",
        "Có",
        "msg:abc",
    )


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"app_id": "42"}'])
def test_bodies_without_the_signed_fields_are_refused(body: bytes) -> None:
    with pytest.raises(SignatureError):
        verify_event(body, "mac=00", app_id="42", oa_secret="s", now=NOW, max_age=None)
