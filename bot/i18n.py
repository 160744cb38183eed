"""Translation for everything users read. ``locales/vi`` is the source of truth; msgids are
Vietnamese, so a missing catalogue still shows correct Vietnamese."""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import Translations

LOCALES = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
LIBRARY_DOMAIN = "typer"
"""Catalogue of the fixed strings of typer's help and error screens (kept by hand)."""

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> gettext.NullTranslations:
    loaded = Translations.load(str(LOCALES), [language], domain=DOMAIN)
    return loaded


def _(message: str) -> str:
    """Translate ``message`` into the current user's language."""
    return translations(_language.get()).gettext(message)


def __(message: str) -> str:
    """Mark a msgid at import time; it is translated when shown (``_(step.ask)``)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Speak ``code`` inside the block (one inbound message, one CLI command)."""
    token = _language.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def translate_library_strings(code: str = DEFAULT_LANGUAGE) -> None:
    """Make typer's help and error screens speak ``code``. Typer translates its fixed strings
    ("Options", "Commands", "[required]"…) with the standard :mod:`gettext` module, whose
    catalogue is the process's text domain and whose language comes from the environment;
    call this once, at the start of the CLI process, before any help is shown."""
    gettext.bindtextdomain(LIBRARY_DOMAIN, str(LOCALES))
    gettext.textdomain(LIBRARY_DOMAIN)
    os.environ["LANGUAGE"] = code if code in LANGUAGES else DEFAULT_LANGUAGE
