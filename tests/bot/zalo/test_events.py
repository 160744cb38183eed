"""The webhook events read by the Zalo channel: a signed body of any shape becomes an event or
is ignored, never an error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.handlers.zalo.events import read_event

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
NAMES = st.sampled_from(["user_submit_info", "user_send_image", "user_send_text", "follow"])


@given(name=NAMES, sender=JSON, message=JSON, info=JSON, timestamp=JSON)
def test_any_body_of_the_read_events_is_read_or_ignored(
    name: str, sender: Any, message: Any, info: Any, timestamp: Any
) -> None:
    event = {"event_name": name, "sender": sender, "message": message, "info": info,
             "follower": sender, "timestamp": timestamp}  # fmt: skip
    parsed = read_event(event, NOW)
    assert parsed is None or (parsed.user_id and parsed.at <= NOW)


def test_a_shared_phone_and_a_photo_are_read_as_integrators_report_them() -> None:
    shared = read_event(
        {"event_name": "user_submit_info", "sender": {"id": "2468"},
         "info": {"name": " Lê Thị Hoa ", "phone": 84913222333}, "timestamp": "1"},
        NOW,
    )  # fmt: skip
    assert shared is not None
    assert (shared.kind, shared.phone, shared.name) == ("shared", "84913222333", "Lê Thị Hoa")
    photo = read_event(
        {"event_name": "user_send_image", "sender": {"id": "2468"},
         "message": {"msg_id": "m1", "attachments": [
             {"type": "sticker", "payload": {"url": "https://x/s.png"}},
             {"type": "image", "payload": {"url": "https://cdn.zalo/p.jpg"}}]},
         "timestamp": "1"},
        NOW,
    )  # fmt: skip
    assert photo is not None
    assert (photo.kind, photo.url, photo.update_id) == ("image", "https://cdn.zalo/p.jpg", "msg:m1")
    local = [{"type": "image", "payload": {"url": "file:///etc/passwd"}}]
    not_a_url = {"event_name": "user_send_image", "sender": {"id": "2468"},
                 "message": {"attachments": local}}  # fmt: skip
    assert read_event(not_a_url, NOW) is None
