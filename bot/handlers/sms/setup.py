"""Building the SMS channel once at start-up from the settings: the inbound route for the
shared HTTP server and the outbound client the dispatcher sends through.

``GIAMNGHEO_SMS_GATEWAY`` picks the gateway: ``generic`` (the project's contract, bearer
token) or ``smsgate`` (SMS Gateway for Android, Basic auth with ``GIAMNGHEO_SMS_SEND_USER``
and ``GIAMNGHEO_SMS_SEND_TOKEN``). ``GIAMNGHEO_SMS_WEBHOOK_SECRET`` is the HMAC key of the
inbound webhook for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.handlers.http import Route
from bot.handlers.sms.client import GatewayClient
from bot.handlers.sms.events import InboundParser
from bot.handlers.sms.generic import GenericInbound, GenericSender
from bot.handlers.sms.inbox import LoopGuard, SmsInbox, StrangerBudget
from bot.handlers.sms.pages import PageStore
from bot.handlers.sms.smsgate import SmsGateInbound, SmsGateSender
from bot.handlers.sms.webhook import sms_route
from bot.settings import Settings


@dataclass(frozen=True)
class Sms:
    route: Route
    sender: GatewayClient


def build_gateway(
    settings: Settings, pages: PageStore | None = None
) -> tuple[InboundParser, GatewayClient]:
    """The gateway's inbound parser and outbound client; ``pages`` keeps the rest of a long
    reminder for ``TIEP``."""
    assert settings.sms_webhook_secret is not None
    assert settings.sms_send_url is not None
    secret = settings.sms_webhook_secret.get_secret_value().encode()
    token = settings.sms_send_token.get_secret_value() if settings.sms_send_token else ""
    parts = settings.sms_max_parts
    if settings.sms_gateway == "smsgate":
        user = settings.sms_send_user or ""
        sender: GatewayClient = SmsGateSender(
            settings.sms_send_url, user, token, max_parts=parts, pages=pages
        )
        return SmsGateInbound(secret), sender
    generic = GenericSender(settings.sms_send_url, token, max_parts=parts, pages=pages)
    return GenericInbound(secret), generic


def build_sms(
    settings: Settings,
    engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
) -> Sms:
    keep = timedelta(hours=settings.sms_pages_keep_hours)
    parser, sender = build_gateway(settings, PageStore(sessions, clock, keep))
    guard = LoopGuard(settings.sms_loop_replies, timedelta(minutes=settings.sms_loop_minutes))
    strangers = StrangerBudget(
        settings.stranger_replies_per_day, settings.stranger_replies_per_hour
    )
    inbox = SmsInbox(
        engine,
        sessions,
        clock,
        guard=guard,
        strangers=strangers,
        max_parts=settings.sms_max_parts,
        keep_pages=keep,
    )
    return Sms(sms_route(parser, inbox), sender)
