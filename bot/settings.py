"""Typed settings from the environment (prefix ``GIAMNGHEO_``), built once at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///giamngheo.db"


class ZnsTemplate(BaseModel):
    """One registered and approved ZNS template (reference/channels.md §2.6) and how to fill
    its parameters. Each value of ``params`` is a format string over ``{ten}`` (the person's
    name), ``{noi_dung}`` (the reminder's text, on one line) and ``{ngay}`` (today,
    dd/mm/yyyy); each filled value is cut to ``max_length`` characters, because a template's
    parameters have length limits that Zalo sets per template (read them in the ZNS console)."""

    template_id: str
    params: dict[str, str]
    max_length: int = 100

    @field_validator("params")
    @classmethod
    def _known_fields(cls, params: dict[str, str]) -> dict[str, str]:
        for name, pattern in params.items():
            try:
                pattern.format(ten="", noi_dung="", ngay="")
            except (KeyError, IndexError, ValueError) as error:
                fields = "{ten}, {noi_dung}, {ngay}"
                raise ValueError(f"{name}: use only {fields} ({error})") from None
        return params


class Settings(BaseSettings):
    """Every setting the application reads. A channel is on when its settings are present."""

    model_config = SettingsConfigDict(env_prefix="GIAMNGHEO_", env_file=None, extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    database_schema: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None

    plan_reminders: bool = True
    """Whether ``giamngheo run`` plans reminders (report deadlines, follow-up digests,
    escalations). Off for a worker that only answers and sends the outbox while another process
    plans (``giamngheo scheduler``, or one ``giamngheo run`` left on)."""

    flood_limit_per_minute: int = 30
    """Messages one chat identity may send per minute before the bot asks them to slow down."""

    log_format: Literal["text", "json"] = "text"
    """``json``: one JSON object per log line (time, level, logger, message) for a log
    collector; the messages are the same, never a phone number, a name or a message's text."""

    http_host: str = "127.0.0.1"
    http_port: int = 8080

    sms_webhook_secret: SecretStr | None = None
    sms_send_url: str | None = None
    sms_send_token: SecretStr | None = None
    sms_gateway: Literal["generic", "smsgate"] = "generic"
    """``generic``: the project's SMS contract; ``smsgate``: SMS Gateway for Android."""
    sms_send_user: str | None = None
    """SMSGate's Basic-auth user name (the password is ``SMS_SEND_TOKEN``)."""
    sms_max_parts: int = 2
    """An SMS reply longer than this many parts is sent in pages of this many parts, each but
    the last ending with “(gui TIEP de xem tiep)”; ``TIEP`` sends the next page."""
    sms_pages_keep_hours: int = 72
    """How long the rest of a long SMS reply waits for ``TIEP``."""
    sms_loop_replies: int = 5
    sms_loop_minutes: int = 10
    """At most ``sms_loop_replies`` messages from one number are handled (and answered) per
    ``sms_loop_minutes`` minutes."""
    stranger_replies_per_day: int = 1
    """SMS replies to one unregistered number per day."""
    stranger_replies_per_hour: int = 20
    """SMS replies to all unregistered numbers together per hour (the cost ceiling)."""

    zalo_app_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_api_url: str = "https://openapi.zalo.me"
    zalo_oauth_url: str = "https://oauth.zaloapp.com/v4/oa/access_token"
    """Where access tokens are refreshed (tests point it at a fake)."""
    zalo_window_hours: int = 48
    zalo_window_messages: int = 8
    """Zalo's free-reply window: this many messages within this many hours of the person's
    last message; outside it reminders go by SMS."""
    zalo_zns_url: str = "https://business.openapi.zalo.me/message/template"
    """Where ZNS template messages are sent (tests point it at a fake)."""
    zalo_zns_templates: dict[str, ZnsTemplate] = {}
    """ZNS templates by message kind, as JSON: the first part of the outbox key (``digest``,
    ``escalation``, ``report``, ``escape-check``) or ``*`` for every other kind. Empty: ZNS is
    off."""
    zalo_zns_mode: Literal["production", "development"] = "production"
    """``development`` sends ZNS only to the OA's admins and testers, while templates are tried."""
    zalo_fallback_order: list[Literal["zns", "sms"]] = ["zns", "sms"]
    """What a reminder for a Zalo user tries, in order, when the free-reply window is closed
    (JSON list); ``["sms"]`` skips ZNS, ``[]`` sends nothing outside the window."""
    zalo_share_image_url: str | None = None
    """An image shown on the request to share one's phone number (``request_user_info``), e.g.
    the commune's logo; whether Zalo requires one is not known to us, so it is optional."""
    zalo_signature_max_age_seconds: int | None = 86400
    """Webhook events older than this are refused (Zalo retries a failing webhook for hours,
    so the default is one day); None turns the check off."""

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None

    @property
    def sms_enabled(self) -> bool:
        return self.sms_webhook_secret is not None and self.sms_send_url is not None

    @property
    def zalo_enabled(self) -> bool:
        return self.zalo_app_id is not None and self.zalo_oa_secret_key is not None
