"""The ``giamngheo`` command: one entry point for every job (typer)."""

from __future__ import annotations

import socket
from typing import NoReturn

import typer
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)

from bot.commands import (
    assess,
    backup,
    chat,
    costs,
    database,
    demo,
    households,
    mentors,
    people,
    policies,
    report,
    review,
    run,
    scheduler,
    support,
    units,
    zalo,
)
from bot.i18n import _, __, translate_library_strings
from bot.settings import Settings
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
review.register(app)
units.register(app)
policies.register(app)
backup.register(app)


SUPPORTED_DATABASES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
DATABASE_UNREACHABLE = __(
    "Không kết nối được cơ sở dữ liệu. Hãy kiểm tra GIAMNGHEO_DATABASE_URL và máy chủ cơ sở dữ "
    "liệu rồi thử lại."
)
DATABASE_UNSUPPORTED = __(
    "GIAMNGHEO_DATABASE_URL phải bắt đầu bằng sqlite+aiosqlite:/// (mặc định) hoặc "
    "postgresql+asyncpg://."
)
DATABASE_FAILED = __(
    "Cơ sở dữ liệu từ chối yêu cầu ({kind}). Hãy kiểm tra GIAMNGHEO_DATABASE_URL, tài khoản và "
    "quyền truy cập cơ sở dữ liệu."
)
CONNECTION_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    socket.gaierror,
)
"""What a database that cannot be reached raises, before or while connecting."""


def _fail(message: str) -> NoReturn:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise SystemExit(1)


def main() -> None:
    """Console entry point: domain errors, and a database that cannot be reached or is named
    by an unsupported URL, become one translated line and exit code 1, never a traceback."""
    translate_library_strings()
    try:
        app()
    except AppError as error:
        _fail(error.render(_))
    except (ArgumentError, NoSuchModuleError):
        _fail(_(DATABASE_UNSUPPORTED))
    except ModuleNotFoundError:
        if Settings().database_url.startswith(SUPPORTED_DATABASES):
            raise
        _fail(_(DATABASE_UNSUPPORTED))
    except CONNECTION_ERRORS:
        _fail(_(DATABASE_UNREACHABLE))
    except DBAPIError as error:
        cause = error.orig.__cause__ if error.orig is not None else None
        kind = type(cause or error.orig or error).__name__  # the driver's error names it
        _fail(_(DATABASE_FAILED).format(kind=kind))
