"""``DK <mã mời> [họ tên]``: register with an invite in one message, or two when the name is
not given (the name is then asked). Public, like ``đăng ký``; the invite is used exactly as
onboarding uses it (:func:`bot.flows.onboarding.finish`). A wrong, used or expired code is
answered at once and leaves nothing waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.flows.answers import AnswerType, error_text
from bot.flows.codes.base import EXAMPLE as EXAMPLE_LINE
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.household_check import PersonName
from bot.flows.messages import Outbound
from bot.flows.onboarding import ASK_NAME, CODE_FORMAT, PROBLEMS
from bot.flows.onboarding import finish as onboarding_finish
from bot.flows.routing import ROLE_LABELS
from bot.i18n import _, __
from poverty.errors import InvalidInputError
from storage.invites import PendingInvite, find_invite, looks_like_code

USAGE = __("DK mã_mời họ_tên")
EXAMPLE = "DK K7QX4M2PRT Nguyễn Văn An"
MISSING = __("Thiếu mã mời.")
NAME = PersonName(max_length=120)


class InviteMessage(AnswerType):
    """The code and, optionally, the name. Never refuses: a problem becomes ``{"loi": text}``,
    which the flow answers at once, so no conversation is left waiting for a code."""

    async def resolve(self, context: FlowContext, text: str) -> Any:
        try:
            return await self._read(context, text.split())
        except InvalidInputError as error:
            return {"loi": f"{error_text(error)} {_(EXAMPLE_LINE).format(example=EXAMPLE)}"}

    async def _read(self, context: FlowContext, words: list[str]) -> dict[str, Any]:
        if not words:
            raise InvalidInputError(MISSING)
        if not looks_like_code(words[0]):
            raise InvalidInputError(CODE_FORMAT)
        name = NAME.parse(" ".join(words[1:])) if words[1:] else None
        found = await find_invite(context.session, words[0], context.now)
        if not isinstance(found, PendingInvite):
            raise InvalidInputError(PROBLEMS[found])
        invite = {"id": found.id, "role": found.role, "unit": found.unit_name}
        return {"ma": invite, "ten": name}


def _needs_name(answers: Answers) -> bool:
    read = answers.get("tin_nhan") or {}
    return "ma" in read and not read.get("ten") and not answers.get("co_tai_khoan")


def _ask_name(answers: Answers) -> str:
    invite = answers["tin_nhan"]["ma"]
    role = _(ROLE_LABELS.get(str(invite["role"]), str(invite["role"])))
    return _(ASK_NAME).format(role=role, unit=invite["unit"])


STEPS = (
    Step("tin_nhan", ask=USAGE, answer=InviteMessage()),
    Step("ten", ask=_ask_name, answer=NAME, when=_needs_name),
)


async def start(context: FlowContext) -> Answers:
    answers: Answers = {"co_tai_khoan": bool(context.access.user_id)}
    if not context.text.strip():
        answers["tin_nhan"] = await InviteMessage().resolve(context, "")
    return answers


async def finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    read = answers["tin_nhan"]
    if "loi" in read:
        return [Outbound(read["loi"])]
    name = answers.get("ten") or read.get("ten")
    return await onboarding_finish(context, {"ma": read["ma"], "ten": name})


INVITE_CODE = Flow(
    name="invite_code",
    title=__("Đăng ký bằng mã DK"),
    steps=STEPS,
    start=start,
    finish=finish,
    keywords=("dk",),
    public=True,
    listed=False,
    code=USAGE,
)
