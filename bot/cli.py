"""The ``giamngheo`` command: one entry point for every job (typer)."""

from __future__ import annotations

import typer

from bot.commands import (
    assess,
    chat,
    costs,
    database,
    demo,
    households,
    mentors,
    people,
    report,
    run,
    scheduler,
    support,
    zalo,
)
from bot.i18n import _
from poverty.errors import AppError

app = typer.Typer(
    name="giamngheo",
    help="Trợ lý Giảm nghèo: kiểm tra hộ nghèo, tra cứu chính sách, báo cáo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """Trợ lý Giảm nghèo."""


database.register(app)
demo.register(app)
households.register(app)
assess.register(app)
report.register(app)
chat.register(app)
people.register(app)
run.register(app)
mentors.register(app)
scheduler.register(app)
zalo.register(app)
costs.register(app)
support.register(app)


def main() -> None:
    """Console entry point: domain errors become one translated line and exit code 1."""
    try:
        app()
    except AppError as error:
        typer.secho(error.render(_), err=True, fg=typer.colors.RED)
        raise SystemExit(1) from None
