"""Onboarding by invite: a person sends the code they were given and gets its role and area.

The flow is public (people without an account may start it) and has two steps:

1. ``ma``: the invite code. On Telegram the link ``t.me/<bot>?start=<code>`` sends
   ``/start <code>``; elsewhere people type ``dang ky <code>``. An unknown, used or expired code
   gets a clear reply and the question again.
2. ``ten``: the person's full name, asked only when the identity has no account yet.

Finishing uses the invite (:func:`storage.invites.redeem_invite`): in the message's own
transaction the invite is marked used and the user, the channel identity and the role grant are
created, with audit rows. Someone who already has an account keeps it and gains the new role.
The engine then shows the menu of the new role.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.flows.answers import AnswerType
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.household_check import PersonName
from bot.flows.messages import Outbound
from bot.flows.routing import ROLE_LABELS
from bot.i18n import _, __
from poverty.errors import InvalidInputError, ParseError
from storage.invites import PendingInvite, find_invite, looks_like_code, redeem_invite

ASK_CODE = __("Xin nhập mã mời (10 ký tự, ví dụ K7QX4M2PRT) mà cán bộ phụ trách đã gửi.")
CODE_FORMAT = __("Mã mời gồm 10 chữ cái và chữ số, ví dụ K7QX4M2PRT. Xin kiểm tra và nhập lại.")
CODE_UNKNOWN = __("Mã mời không đúng. Xin kiểm tra lại, hoặc liên hệ cán bộ phụ trách ở xã.")
CODE_USED = __("Mã mời này đã được dùng; mỗi mã chỉ dùng một lần. Xin liên hệ xã để có mã mới.")
CODE_EXPIRED = __("Mã mời này đã hết hạn. Xin liên hệ cán bộ phụ trách ở xã để được cấp mã mới.")
ACCOUNT_REVOKED = __("Tài khoản của anh/chị đã bị thu hồi quyền; không dùng được mã mời.")
ASK_NAME = __("Mã mời hợp lệ: vai trò {role}, địa bàn {unit}. Xin cho biết họ và tên của anh/chị.")
WELCOME = __(
    "Chào mừng {name}! Anh/chị đã được cấp quyền {role} cho địa bàn {unit}. "
    "Mọi tra cứu chỉ trong địa bàn này."
)
ROLE_ADDED = __("Đã thêm quyền {role} cho địa bàn {unit} vào tài khoản của anh/chị.")

PROBLEMS = {"unknown": CODE_UNKNOWN, "used": CODE_USED, "expired": CODE_EXPIRED}


def _role(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


class InviteCode(AnswerType):
    """A code that opens a valid invite; the value keeps the invite's id, role and unit (never
    the code itself, so the conversation state holds no secret)."""

    async def resolve(self, context: FlowContext, text: str) -> Any:
        if not looks_like_code(text):
            raise ParseError(CODE_FORMAT)
        found = await find_invite(context.session, text, context.now)
        if not isinstance(found, PendingInvite):
            raise InvalidInputError(PROBLEMS[found])
        return {"id": found.id, "role": found.role, "unit": found.unit_name}

    def hint(self) -> str:
        return _(ASK_CODE)


def _ask_name(answers: Answers) -> str:
    invite = answers["ma"]
    return _(ASK_NAME).format(role=_role(str(invite["role"])), unit=invite["unit"])


STEPS = (
    Step("ma", ask=ASK_CODE, answer=InviteCode()),
    Step(
        "ten",
        ask=_ask_name,
        answer=PersonName(max_length=120),
        when=lambda a: not a.get("co_tai_khoan"),
    ),
)


async def start(context: FlowContext) -> Answers:
    return {"co_tai_khoan": bool(context.access.user_id)}


async def finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    invite = answers["ma"]
    result = await redeem_invite(
        context.session,
        int(invite["id"]),
        context.identity.channel,
        context.identity.external_id,
        answers.get("ten"),
        context.now,
    )
    if result == "revoked":
        return [Outbound(_(ACCOUNT_REVOKED))]
    if isinstance(result, str):
        return [Outbound(_(PROBLEMS[result]))]
    role, unit = _role(result.role), result.unit_name
    if result.is_new_user:
        return [Outbound(_(WELCOME).format(name=result.name, role=role, unit=unit))]
    return [Outbound(_(ROLE_ADDED).format(role=role, unit=unit))]


ONBOARDING = Flow(
    name="onboarding",
    title=__("Đăng ký bằng mã mời"),
    steps=STEPS,
    start=start,
    finish=finish,
    keywords=("/start", "dang ky", "/dangky", "ma moi"),
    public=True,
)
