"""Files with a reply, the Zalo way (reference/channels.md §0, §2.2).

A chart goes up through the OA image upload (JPG/PNG, at most 1 MB) and is sent as a media
message (``template_type: "media"`` with the ``attachment_id``); a table goes up through the file
upload (PDF, DOC, DOCX, at most 5 MB; Zalo takes no xlsx) and is sent as a file message with the
upload's ``token``. An attachment whose own format Zalo does not take is sent in the first of its
alternatives that Zalo takes (the appendices' PDF).

Every upload is done before the reply's text is sent, so the text can say exactly which files
follow, and for each file that could not be uploaded, that it could not and how to get it
(the attachment's ``elsewhere``). Nothing is announced that was not uploaded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.flows.messages import Attachment, FileVersion
from bot.handlers.zalo.client import ZaloClient, ZaloUnavailable
from bot.i18n import _, __

IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
FILE_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_IMAGE_BYTES = 1024 * 1024
MAX_FILE_BYTES = 5 * 1024 * 1024

FOLLOWING = __("Gửi kèm bên dưới:")
FOLLOWING_LINE = __("• {caption} ({format})")
NOT_SENT = __("Không gửi được “{caption}” qua Zalo: {reason}.")
UNSUPPORTED = __("Zalo không nhận tệp dạng {format}")
TOO_LARGE = __("tệp lớn hơn {limit} MB, mức Zalo cho phép")
REFUSED = __("Zalo chưa nhận tệp tải lên")
TRY_AGAIN = __("Xin gửi lại yêu cầu sau ít phút.")

Message = dict[str, Any]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Uploaded:
    attachment: Attachment
    message: Message
    format: str


@dataclass(frozen=True)
class NotSent:
    attachment: Attachment
    reason: str
    """Translated, to follow "Không gửi được … qua Zalo:"."""


def media_message(attachment_id: str, caption: str = "") -> Message:
    message: Message = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "media",
                "elements": [{"media_type": "image", "attachment_id": attachment_id}],
            },
        }
    }
    if caption:
        message["text"] = caption
    return message


def file_message(token: str) -> Message:
    return {"attachment": {"type": "file", "payload": {"token": token}}}


Render = Callable[[FileVersion], Awaitable[bytes]]
"""Makes a version's bytes (the conversation draws PDFs in a worker thread, one at a time)."""


async def in_loop(version: FileVersion) -> bytes:
    return version.render()


async def upload(
    client: ZaloClient, attachment: Attachment, render: Render = in_loop
) -> Uploaded | NotSent:
    """The attachment uploaded and the message that sends it, or why it cannot be sent."""
    image = attachment.kind == "photo"
    accepted = IMAGE_TYPES if image else FILE_TYPES
    version = attachment.version(frozenset(accepted))
    if version is None:
        shown = attachment.filename.rpartition(".")[2].upper()
        return NotSent(attachment, _(UNSUPPORTED).format(format=shown))
    limit = MAX_IMAGE_BYTES if image else MAX_FILE_BYTES
    data = await render(version)
    if len(data) > limit:
        return NotSent(attachment, _(TOO_LARGE).format(limit=limit // (1024 * 1024)))
    content_type = accepted[version.extension]
    try:
        if image:
            found = await client.upload_image(version.filename, data, content_type)
        else:
            found = await client.upload_file(version.filename, data, content_type)
    except ZaloUnavailable as error:
        log.warning("zalo: upload failed (%s)", error)
        found = None
    if found is None:
        return NotSent(attachment, _(REFUSED))
    message = media_message(found, attachment.caption) if image else file_message(found)
    return Uploaded(attachment, message, version.extension.upper())


def announcement(text: str, results: Sequence[Uploaded | NotSent]) -> str:
    """The reply's text, then the files that follow and the ones that could not be sent."""
    lines = [text.rstrip()] if text.strip() else []
    uploaded = [result for result in results if isinstance(result, Uploaded)]
    if uploaded:
        lines.append(_(FOLLOWING))
        lines += [
            _(FOLLOWING_LINE).format(
                caption=result.attachment.caption or result.attachment.filename,
                format=result.format,
            )
            for result in uploaded
        ]
    lines += [not_sent_line(result) for result in results if isinstance(result, NotSent)]
    return "\n".join(lines)


def not_sent_line(result: NotSent) -> str:
    caption = result.attachment.caption or result.attachment.filename
    how = result.attachment.elsewhere or _(TRY_AGAIN)
    return f"{_(NOT_SENT).format(caption=caption, reason=result.reason)} {how}"
