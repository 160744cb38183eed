"""``giamngheo costs [--days 30]``: how many messages went out in the last days, by the channel
they went out on and their cost class, so a manager sees what reminders cost: free (Telegram, a
Zalo reply inside the free window), ZNS template messages and SMS (both paid per message)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from poverty.formatting import format_int
from storage.outbox import DeliveryCount, delivery_counts

TITLE = __("Tin đã gửi trong {days} ngày qua:")
LINE = __("• {channel}: {count} tin ({cost})")
NONE = __("Chưa gửi tin nào trong {days} ngày qua.")
COSTS = {
    "free": __("miễn phí"),
    "zns": __("ZNS, tính phí theo tin"),
    "sms": __("SMS, tính phí theo tin"),
    "": __("chưa ghi loại phí"),
}
CHANNELS = {"zalo": "Zalo", "zns": "Zalo ZNS", "sms": "SMS", "telegram": "Telegram"}


def register(app: typer.Typer) -> None:
    app.command("costs", help="Số tin đã gửi theo kênh và loại phí (Zalo, ZNS, SMS).")(costs)


def costs(
    days: Annotated[int, typer.Option("--days", min=1, help="Số ngày gần đây.")] = 30,
) -> None:
    async def go() -> list[DeliveryCount]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            return await delivery_counts(session, rt.now() - timedelta(days=days))

    counts = run(go())
    if not counts:
        typer.echo(_(NONE).format(days=days))
        return
    typer.echo(_(TITLE).format(days=days))
    for count in counts:
        cost = _(COSTS[count.cost]) if count.cost in COSTS else count.cost
        channel = CHANNELS.get(count.via, count.via)
        typer.echo(_(LINE).format(channel=channel, count=format_int(count.count), cost=cost))
