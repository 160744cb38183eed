"""A photo sent while checking a household is kept with that check: the household being
checked is read from the person's conversation, the photo is recorded at once, and it is linked
to the assessment when the check is saved (:func:`storage.check_photos.attach_pending_photos`,
called by the household check's finish). The file stays with the channel: what is kept is the
channel's reference to it (Telegram's ``file_id``, the URL Zalo gives), not a copy. Outside a
household check the photo is not kept, and the person is told how to attach one.

Channel-neutral: a channel that receives a photo calls :func:`receive_check_photo` with that
reference in its own transaction and sends the reply; the conversation itself is not moved on,
so the question that was waiting still is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.household_check import HOUSEHOLD_CHECK, household
from bot.flows.messages import IdentityRef, Outbound
from bot.i18n import _, __
from storage.check_photos import add_check_photo
from storage.conversations import load_conversation, mark_processed

RECEIVED = __(
    "Đã nhận ảnh cho hộ {code}; ảnh sẽ được lưu cùng lần kiểm tra này. "
    "Xin trả lời tiếp câu hỏi ở trên."
)
NOT_IN_CHECK = __(
    "Ảnh chỉ được lưu kèm một lần kiểm tra hộ. Xin gõ “kiểm tra”, chọn hộ, rồi gửi ảnh."
)


async def receive_check_photo(
    session: AsyncSession,
    identity: IdentityRef,
    file_ref: str,
    now: datetime,
    update_id: str | None = None,
) -> Outbound | None:
    """Keep the photo with the household this identity is checking; the reply to send. With
    ``update_id``, a photo delivered again is recognised and nothing is done (None)."""
    if update_id is not None and not await mark_processed(
        session, identity.channel, update_id, now
    ):
        return None
    conversation = await load_conversation(session, identity.channel, identity.external_id)
    if (
        conversation is None
        or conversation.flow != HOUSEHOLD_CHECK.name
        or conversation.expires_at <= now
    ):
        return Outbound(_(NOT_IN_CHECK))
    info = household(conversation.answers)
    if info is None:
        return Outbound(_(NOT_IN_CHECK))
    await add_check_photo(
        session,
        info.id,
        identity.channel,
        identity.external_id,
        conversation.user_id,
        file_ref,
        now,
    )
    return Outbound(_(RECEIVED).format(code=info.code))
