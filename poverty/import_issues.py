"""What an import has to say about a file: problems tied to a row and column, and the two
errors that stop an import.

Issues are values (a gettext msgid and its parameters), so the CLI renders them in the user's
language. ``row`` is the row number the spreadsheet shows (the header is row 1) and ``column`` the
canonical column name (``so_nhan_khau``), so a cadre can find the cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from poverty import errors
from poverty.i18n import N_

ROW_AND_COLUMN = N_("Dòng {row}, cột {column}: {detail}")
ROW_ONLY = N_("Dòng {row}: {detail}")
REJECTED = N_("Tệp có {count} dòng không hợp lệ nên chưa ghi gì vào cơ sở dữ liệu.")
MAX_QUOTED = 40
"""Longest part of a cell value repeated in a message; longer values are cut with ``…``."""


@dataclass(frozen=True)
class Issue:
    """One problem found in a file: an error (the row is not imported) or a warning."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None


class ImportFileError(errors.InvalidInputError):
    """The file cannot be imported at all: unreadable, empty, or a required column is missing."""


class ImportRejectedError(errors.ImportRejectedError):
    """Some rows are invalid and ``skip_invalid`` was not asked for; nothing was written.
    ``issues`` lists every problem of the invalid rows, in row order."""

    def __init__(self, issues: Sequence[Issue], invalid_rows: int) -> None:
        super().__init__(REJECTED, count=invalid_rows)
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.invalid_rows = invalid_rows


class CellError(Exception):
    """A cell value that cannot be used; the row reader turns it into an :class:`Issue`."""

    def __init__(self, message: str, params: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params: dict[str, object] = dict(params or {})


def quoted(value: str) -> str:
    """A cell value as shown inside “…” in a message, cut to :data:`MAX_QUOTED` characters."""
    return value if len(value) <= MAX_QUOTED else value[: MAX_QUOTED - 1] + "…"
