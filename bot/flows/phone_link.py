"""Registering by a shared phone number (Zalo's ``request_user_info``): the number the person
shares from their account finds the invites that name it, or the user already known by it, and
links the chat identity to that person without typing a code.

Channel-neutral: a channel that can vouch for a person's number (Zalo shares the number of the
account) calls :func:`link_shared_phone` with it, in its own transaction, and shows the replies;
the menu follows from the engine as for ``/start``. Typing the invite code keeps working
(:mod:`bot.flows.onboarding`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.messages import IdentityRef, Outbound
from bot.flows.onboarding import ACCOUNT_REVOKED, ROLE_ADDED
from bot.flows.routing import ROLE_LABELS
from bot.i18n import _, __
from storage.invites import Linked, link_by_phone

WELCOME = __(
    "Chào mừng {name}! Số điện thoại của anh/chị khớp với lời mời của xã: anh/chị được cấp "
    "quyền {role} cho địa bàn {unit}. Mọi tra cứu chỉ trong địa bàn này."
)
RECOGNISED = __("Trợ lý đã nhận ra {name} qua số điện thoại; tài khoản Zalo này đã được liên kết.")
UNKNOWN_NUMBER = __(
    "Cảm ơn anh/chị. Số điện thoại này chưa có trong danh sách của xã. Nếu anh/chị đã được cấp "
    "mã mời, xin gõ: dang ky <mã mời>. Nếu chưa, xin liên hệ cán bộ phụ trách ở xã."
)


def _role(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


async def link_shared_phone(
    session: AsyncSession,
    identity: IdentityRef,
    phone: str,
    name: str | None,
    now: datetime,
) -> tuple[bool, list[Outbound]]:
    """Whether the identity is now linked to a person, and what to tell them."""
    result = await link_by_phone(session, identity.channel, identity.external_id, phone, name, now)
    if result == "revoked":
        return False, [Outbound(_(ACCOUNT_REVOKED))]
    if result == "unknown":
        return False, [Outbound(_(UNKNOWN_NUMBER))]
    return True, [Outbound(line) for line in _linked_lines(result)]


def _linked_lines(linked: Linked) -> list[str]:
    if not linked.granted:
        return [_(RECOGNISED).format(name=linked.name)]
    lines: list[str] = []
    for number, granted in enumerate(linked.granted):
        role, unit = _role(granted.role), granted.unit_name
        if number == 0 and linked.is_new_user:
            lines.append(_(WELCOME).format(name=granted.name, role=role, unit=unit))
        else:
            lines.append(_(ROLE_ADDED).format(role=role, unit=unit))
    return ["\n".join(lines)]
