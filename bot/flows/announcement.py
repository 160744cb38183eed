"""A manager's announcement to every cadre of their area (“thông báo: họp rà soát thôn …”).

The text is shown back for confirmation, then queued in the outbox once per cadre, on each
person's channel (Telegram, Zalo while its window is open, else SMS), so it is paced, held in
quiet hours and counted like every other message. The keyword may carry the text:
“thông báo: họp rà soát thôn Tân Hòa 8 giờ sáng mai”.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.flows.answers import Text, YesNo
from bot.flows.area_choice import MANAGING_ROLES, managed
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Outbound
from bot.i18n import _, __
from poverty.errors import InvalidInputError
from poverty.formatting import format_int
from storage.outbox import NewMessage, enqueue
from storage.recipients import addresses, grants_with_role

MAX_LENGTH = 300
ASK_TEXT = __("Nội dung thông báo gửi tất cả cán bộ trong địa bàn?")
CONFIRM = __("Gửi thông báo này tới {count} cán bộ trong địa bàn?\n“{text}”")
SENT = __(
    "Đã xếp gửi thông báo tới {count} cán bộ. Tin đi trong giờ làm việc, theo kênh của từng người."
)
CANCELLED = __("Đã hủy, chưa gửi thông báo nào.")
NO_CADRES = __("Địa bàn của anh/chị chưa có cán bộ nào để nhận thông báo.")
PREFIX = __("Thông báo của {name}:")


async def _cadres(context: FlowContext) -> list[int]:
    """Cadres whose area lies inside the manager's, the manager excluded."""
    scope = managed(context.access)
    users = {
        grant.user_id
        for grant in await grants_with_role(context.session, "cadre")
        if scope.covers(grant.unit_path) and grant.user_id != context.access.user_id
    }
    return sorted(users)


async def _start(context: FlowContext) -> Answers:
    cadres = await _cadres(context)
    if not cadres:
        raise InvalidInputError(NO_CADRES)
    return {"so_can_bo": len(cadres)}


async def _send(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    if not answers["xac_nhan"]:
        return [Outbound(_(CANCELLED))]
    cadres = await _cadres(context)
    reach = await addresses(context.session, cadres)
    text = "\n".join((_(PREFIX).format(name=context.access.name), str(answers["noi_dung"])))
    stamp = context.now.strftime("%Y%m%d%H%M%S")
    messages = [
        NewMessage(
            f"announce:{context.access.user_id}:{stamp}:{user}",
            reach[user].channel,
            reach[user].external_id,
            text,
            user_id=user,
        )
        for user in cadres
        if user in reach
    ]
    queued = await enqueue(context.session, messages, context.now)
    return [Outbound(_(SENT).format(count=format_int(queued)))]


def _confirm(answers: Answers) -> str:
    count = format_int(int(answers["so_can_bo"]))
    return _(CONFIRM).format(count=count, text=answers["noi_dung"])


ANNOUNCEMENT = Flow(
    name="announcement",
    title=__("Gửi thông báo cho cán bộ"),
    steps=(
        Step("noi_dung", ask=ASK_TEXT, answer=Text(max_length=MAX_LENGTH)),
        Step("xac_nhan", ask=_confirm, answer=YesNo()),
    ),
    start=_start,
    finish=_send,
    keywords=("thong bao", "/thongbao"),
    roles=MANAGING_ROLES,
)
