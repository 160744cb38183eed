"""What goes in and out of the engine: a message from a person and the replies to it.

Channel-neutral on purpose: a Telegram button press, a Zalo quick reply and a typed SMS all arrive
as :class:`Inbound` text (a button sends its option key), and every channel renders
:class:`Outbound` choices in its own way (keyboard, quick replies, numbered lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class IdentityRef:
    """A person's address on one channel: ``("telegram", chat id)``, ``("console", "cadre")``."""

    channel: str
    external_id: str


@dataclass(frozen=True)
class Inbound:
    """One message from a person. ``update_id``, when the channel has one, makes redelivery
    harmless: the engine answers a repeated update only once."""

    identity: IdentityRef
    text: str
    update_id: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice offered under a question; ``key`` is what a button press sends back."""

    key: str
    label: str


@dataclass(frozen=True)
class FileVersion:
    """The same file in another format: ``phu-luc-1-cam-lo-2026.pdf`` beside the xlsx.
    ``render`` makes the bytes when a channel asks for this version (a PDF takes a good part of
    a second to draw), so the channels that send the first version never pay for it; it holds
    everything already translated and may run in a worker thread."""

    filename: str
    render: Callable[[], bytes] = field(compare=False, repr=False)

    @property
    def extension(self) -> str:
        return self.filename.rpartition(".")[2].lower()


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply: a ``photo`` (a PNG chart) or a ``document`` (an xlsx table).
    Telegram sends it as a photo or a file, the console writes it to a folder.

    ``alternatives`` hold the same content in other formats, for a channel that does not take
    the first one (Zalo takes PDF, not xlsx); ``elsewhere`` says, translated, how to get the
    file another way, for a channel that could not send it."""

    kind: Literal["photo", "document"]
    filename: str
    data: bytes
    caption: str = ""
    alternatives: tuple[FileVersion, ...] = ()
    elsewhere: str = ""

    def version(self, extensions: frozenset[str]) -> FileVersion | None:
        """The first version whose extension is one of ``extensions`` (lower case, no dot)."""
        versions = (FileVersion(self.filename, lambda: self.data), *self.alternatives)
        return next((v for v in versions if v.extension in extensions), None)


@dataclass(frozen=True)
class Outbound:
    """One reply: translated text, for choice questions the options in order, and any files
    to send after the text."""

    text: str
    choices: tuple[Option, ...] = ()
    attachments: tuple[Attachment, ...] = ()
