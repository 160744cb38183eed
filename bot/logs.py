"""Logging for the long-running commands (``giamngheo run``, ``giamngheo scheduler``).

Our own log lines name ids, kinds and exception types, never a phone number, a name or a
message's text. Libraries are not so careful: aiohttp logs a malformed request with the bytes
it could not parse, and aiogram or asyncio log an exception with its message, which for a
validation error quotes the input. So a record from a library that carries an exception keeps
only the logger's name and the exception's type: no message arguments, no traceback.

``GIAMNGHEO_LOG_FORMAT=json`` writes the same records as JSON lines (:class:`JsonLines`) for a
log collector.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIBRARIES = ("aiohttp", "aiogram", "asyncio", "apscheduler", "sqlalchemy")
CHATTY = ("fontTools", "matplotlib")
"""Libraries that log every step at INFO (fontTools lists each glyph it embeds in a PDF): only
their warnings are kept."""


def _exception_of(record: logging.LogRecord) -> BaseException | None:
    if record.exc_info and record.exc_info[1] is not None:
        return record.exc_info[1]
    args = record.args if isinstance(record.args, tuple) else ()
    return next((arg for arg in args if isinstance(arg, BaseException)), None)


class LibraryErrorsWithoutPayload(logging.Filter):
    """Reduces a library's record that carries an exception to the exception's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(LIBRARIES):
            return True
        error = _exception_of(record)
        if error is None:
            return True
        record.msg = "%s (details withheld: they may quote the request)"
        record.args = (type(error).__name__,)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, and ``error`` (the exception's type) when the record carries one. A traceback
    is never written: its frames' text could quote a request."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        error = _exception_of(record)
        if error is not None:
            line["error"] = type(error).__name__
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, fmt: Literal["text", "json"] = "text") -> None:
    """Log to standard error through the filter above, as text lines or JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(FORMAT))
    handler.addFilter(LibraryErrorsWithoutPayload())
    logging.basicConfig(level=level, handlers=[handler])
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
