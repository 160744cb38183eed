"""Errors of the whole application.

Every error a user can cause carries a message key (a Vietnamese gettext msgid with
``{placeholders}``) and the data to fill it, so each channel can turn it into a translated reply::

    AppError
    ├── InvalidInputError      an answer or a file value that cannot be used
    │   └── ParseError         text that is not a number, an amount, a date, …
    ├── UnknownStandardError   no poverty standard with that id or for that year
    ├── UnknownIndicatorError  an indicator code the standard does not have
    ├── NotFoundError          a household, unit or user that does not exist (storage)
    ├── ImportRejectedError    an import file with invalid rows (exchange)
    └── InvalidStandardError   a packaged standard file that does not follow its schema (poverty)
"""

from __future__ import annotations

from collections.abc import Callable


class AppError(Exception):
    """Root of the errors a user can cause; ``message`` is a msgid, ``params`` fill it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params: dict[str, object] = params

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The message with its parameters, translated when a gettext function is given."""
        text = translate(self.message) if translate else self.message
        return text.format(**self.params)


class InvalidInputError(AppError):
    """An answer or file value that cannot be used as it is."""


class ParseError(InvalidInputError):
    """Text that cannot be read as the expected kind of value."""


class UnknownStandardError(AppError):
    """No poverty standard with that id or for that year."""


class UnknownIndicatorError(AppError):
    """An indicator code that the standard does not define."""


class NotFoundError(AppError):
    """A record that does not exist."""


class ImportRejectedError(AppError):
    """An import file with invalid rows; nothing was written."""


class InvalidStandardError(AppError):
    """A packaged standard file that does not follow its schema; raised when it is loaded."""
