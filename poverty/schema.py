"""Strict reading of the packaged YAML files.

Each mapping in a standards file is read through a :class:`Fields` object: every
field is fetched with its expected type, and :meth:`Fields.done` refuses keys
that were never asked for, so a typo in a file fails loudly at load time
instead of silently changing a rule.
"""

from __future__ import annotations

from collections.abc import Mapping

from poverty.errors import InvalidStandardError
from poverty.i18n import N_

FILE_INVALID = N_("Tệp chuẩn nghèo không hợp lệ ({where}): {detail}")


def invalid(where: str, detail: str) -> InvalidStandardError:
    """The error for a malformed file; ``where`` is a path such as ``2022-2025 > indicators[3]``."""
    return InvalidStandardError(FILE_INVALID, where=where, detail=detail)


class Fields:
    """Typed, checked access to one YAML mapping."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise invalid(where, f"expected a mapping, got {type(raw).__name__}")
        self.where = where
        self._raw: dict[str, object] = {str(key): value for key, value in raw.items()}
        self._seen: set[str] = set()

    def has(self, key: str) -> bool:
        """Whether the mapping holds ``key`` (marks it as expected)."""
        self._seen.add(key)
        return key in self._raw

    def raw(self, key: str) -> object:
        """The value of a required field, of any type."""
        if not self.has(key):
            raise invalid(self.where, f"missing field {key!r}")
        return self._raw[key]

    def optional(self, key: str) -> object:
        """The value of an optional field, None when absent."""
        self._seen.add(key)
        return self._raw.get(key)

    def text(self, key: str) -> str:
        """A required non-empty string."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise invalid(self.where, f"{key!r} must be a non-empty text, got {value!r}")
        return " ".join(value.split())

    def integer(self, key: str) -> int:
        """A required integer (booleans refused)."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(self.where, f"{key!r} must be an integer, got {value!r}")
        return value

    def optional_integer(self, key: str) -> int | None:
        """An integer or null; the key itself must be present."""
        value = self.raw(key)
        if value is None:
            return None
        return self.integer(key)

    def optional_number(self, key: str) -> int | float | None:
        """An optional number (absent or null gives None)."""
        value = self.optional(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(self.where, f"{key!r} must be a number, got {value!r}")
        return value

    def flag(self, key: str) -> bool:
        """A required boolean."""
        value = self.raw(key)
        if not isinstance(value, bool):
            raise invalid(self.where, f"{key!r} must be true or false, got {value!r}")
        return value

    def items(self, key: str, *, required: bool = True) -> list[object]:
        """A list (required and non-empty unless ``required`` is False)."""
        value = self.raw(key) if required else self.optional(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise invalid(self.where, f"{key!r} must be a non-empty list, got {value!r}")
        return value

    def done(self) -> None:
        """Refuse keys the reader never asked for."""
        unknown = sorted(set(self._raw) - self._seen)
        if unknown:
            raise invalid(self.where, f"unknown field(s): {', '.join(unknown)}")
