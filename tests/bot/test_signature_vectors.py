"""Known-answer vectors for the webhook signatures, from the contract's formulas
(DESIGN.md; reference/channels.md §2.4 and §3.5). Each expected hex was computed once by hand,
outside our code (Python's ``hmac``/``hashlib`` and ``openssl dgst`` / ``sha256sum`` agree), so
a signer that drifts from the formula fails here even if it still agrees with itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.handlers.sms.events import WebhookRejected
from bot.handlers.sms.generic import GenericInbound
from bot.handlers.sms.smsgate import SmsGateInbound
from bot.handlers.zalo.signature import SignatureError, verify_event

SMS_SECRET = b"sms-webhook-secret"
SMS_TIMESTAMP = "1796630400"
SMS_BODY = (
    b'{"event":"sms.received","id":"evt-1","from":"+84912345678","to":"+84900000000",'
    b'"text":"KT TL00001"}'
)
SMS_HMAC = "2bd4775707919ecc73caad7bcae799a3abf66480403c4d991aabffc36cde144d"
"""HMAC-SHA256(secret, timestamp + "." + raw body)."""

GATE_KEY = b"gate-key"
GATE_BODY = (
    b'{"id":"g1","event":"sms:received","payload":{"sender":"+84912345678","message":"KT TL00001"}}'
)
GATE_HMAC = "b88a426a808f6351fc017bcd2b7131c8c5ea1be5f782ae3331c803e789958eb1"
"""SMSGate: HMAC-SHA256(key, raw body + timestamp), no separator."""

ZALO_APP_ID = "1234567890123456789"
ZALO_SECRET = "oa-secret-key"
ZALO_TIMESTAMP = "1796630400000"
ZALO_BODY = (
    b'{"app_id":"1234567890123456789","event_name":"user_send_text",'
    b'"timestamp":"1796630400000","sender":{"id":"u1"},'
    b'"message":{"msg_id":"m1","text":"kiem tra"}}'
)
ZALO_MAC = "8a28ee9131a22331686bc7cec4bc516844b19dc984ee6c441e8d62287a76e933"
"""SHA-256(app_id + raw body + timestamp + OA secret key), a plain hash, not an HMAC."""

SMS_NOW = float(SMS_TIMESTAMP) + 5
ZALO_NOW = datetime.fromtimestamp(int(ZALO_TIMESTAMP) / 1000, UTC) + timedelta(seconds=5)


def flipped(hex_digest: str) -> str:
    """The same digest with its last digit changed."""
    return hex_digest[:-1] + ("0" if hex_digest[-1] != "0" else "1")


def sms_headers(signature: str) -> dict[str, str]:
    return {"X-Timestamp": SMS_TIMESTAMP, "X-Signature": signature, "X-Event-Id": "evt-1"}


def test_the_contracts_sms_hmac_vector_is_accepted() -> None:
    event = GenericInbound(SMS_SECRET).parse(sms_headers(f"sha256={SMS_HMAC}"), SMS_BODY, SMS_NOW)
    assert (event.kind, event.sender, event.text) == ("received", "+84912345678", "KT TL00001")
    assert event.signature == SMS_HMAC


def test_an_sms_signature_one_digit_off_the_vector_is_refused() -> None:
    inbound = GenericInbound(SMS_SECRET)
    with pytest.raises(WebhookRejected) as refused:
        inbound.parse(sms_headers(f"sha256={flipped(SMS_HMAC)}"), SMS_BODY, SMS_NOW)
    assert refused.value.status == 401


def test_the_smsgate_hmac_vector_is_accepted() -> None:
    headers = {"X-Timestamp": SMS_TIMESTAMP, "X-Signature": GATE_HMAC}
    event = SmsGateInbound(GATE_KEY).parse(headers, GATE_BODY, SMS_NOW)
    assert (event.kind, event.sender, event.text) == ("received", "+84912345678", "KT TL00001")


def test_an_smsgate_signature_one_digit_off_the_vector_is_refused() -> None:
    headers = {"X-Timestamp": SMS_TIMESTAMP, "X-Signature": flipped(GATE_HMAC)}
    with pytest.raises(WebhookRejected) as refused:
        SmsGateInbound(GATE_KEY).parse(headers, GATE_BODY, SMS_NOW)
    assert refused.value.status == 401


def verify_zalo(header: str) -> dict[str, object]:
    return verify_event(
        ZALO_BODY,
        header,
        app_id=ZALO_APP_ID,
        oa_secret=ZALO_SECRET,
        now=ZALO_NOW,
        max_age=timedelta(days=1),
    )


@pytest.mark.parametrize("header", [f"mac={ZALO_MAC}", ZALO_MAC, f"mac={ZALO_MAC.upper()}"])
def test_the_zalo_mac_vector_is_accepted_with_or_without_its_prefix(header: str) -> None:
    event = verify_zalo(header)
    assert event["event_name"] == "user_send_text"


def test_a_zalo_mac_one_digit_off_the_vector_is_refused() -> None:
    with pytest.raises(SignatureError) as refused:
        verify_zalo(f"mac={flipped(ZALO_MAC)}")
    assert refused.value.status == 401
