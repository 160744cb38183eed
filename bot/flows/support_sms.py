"""``HT <mã hộ> <chính sách> <số tiền> [ngày]``: record a support in one SMS.

For feature phones: ``HT TL00001 vay_ho_ngheo 5tr 15/3`` records a 5.000.000-đồng preferential
loan given on 15 March this year. The policy is a catalogue code or words naming one policy
(``bhyt``, ``nha o``); the amount is money in any common form (``5tr``, ``5 trieu``,
``5.000.000``, or ``0`` for support in kind); the day is optional (today). The flow has no
questions: it answers at once, with the saved record or what to fix and an example, like the
other compact codes (:func:`bot.flows.codes.base.code_flow`).
"""

from __future__ import annotations

from datetime import date

from bot.flows.codes.base import code_flow
from bot.flows.context import FlowContext
from bot.flows.support_ledger import SUPPORT_LEDGER
from bot.flows.support_plan import actor_of
from bot.i18n import _, __
from poverty.errors import InvalidInputError
from poverty.formatting import format_date, format_int
from poverty.parsing import parse_money
from poverty.support_input import looks_like_day, parse_day, pick_policy
from storage.household_search import first_household_code
from storage.support_ledger import NewSupport, record_support, support_label
from storage.support_plans import household_in_area

MAX_AMOUNT_WORDS = 4
USAGE = __("HT mã_hộ chính_sách số_tiền [ngày]")
EXAMPLE = "HT {code} bhyt 5tr 15/3"
MISSING = __("Thiếu mã hộ, chính sách hoặc số tiền.")
NO_AMOUNT = __("Thiếu số tiền (ví dụ: 5tr, 5 trieu, 5.000.000; 0 nếu hỗ trợ hiện vật).")
SAVED = __("Đã ghi hỗ trợ hộ {code}: {what}, {amount} đồng, ngày {day}.")
SAVED_IN_KIND = __("Đã ghi hỗ trợ hộ {code}: {what}, ngày {day}.")


def _split(words: list[str], context: FlowContext) -> tuple[str, str, int, date]:
    """``(household code, policy words, amount, day)``; InvalidInputError with what to fix."""
    if len(words) < 3:
        raise InvalidInputError(MISSING)
    code, rest = words[0], words[1:]
    day = context.today
    for size in (2, 1):
        tail = " ".join(rest[-size:])
        if len(rest) > size + 1 and looks_like_day(tail):
            day = parse_day(tail, context.today)
            rest = rest[:-size]
            break
    for size in range(min(MAX_AMOUNT_WORDS, len(rest) - 1), 0, -1):
        tail = " ".join(rest[-size:])
        try:
            amount = parse_money(tail)
        except InvalidInputError:
            continue
        return code, " ".join(rest[:-size]), amount, day
    raise InvalidInputError(NO_AMOUNT)


async def _record(context: FlowContext, words: list[str]) -> str:
    code, policy_words, amount, day = _split(words, context)
    household = await household_in_area(context.session, context.access, code)
    picked = pick_policy(policy_words)
    support = NewSupport(
        household_id=household.id,
        given_on=day,
        policy_code=picked.code,
        description=picked.description,
        amount=amount or None,
    )
    async with context.session.begin_nested():
        await record_support(
            context.session, support, actor_of(context), context.channel, context.now
        )
    what = _(support_label(support.policy_code, support.description))
    if support.amount:
        return _(SAVED).format(
            code=household.code,
            what=what,
            amount=format_int(support.amount),
            day=format_date(support.given_on),
        )
    return _(SAVED_IN_KIND).format(
        code=household.code, what=what, day=format_date(support.given_on)
    )


async def example(context: FlowContext) -> str | None:
    code = await first_household_code(context.session, context.access)
    return EXAMPLE.format(code=code) if code is not None else None


SUPPORT_SMS = code_flow(
    name="support_sms",
    title=__("Ghi hỗ trợ bằng tin nhắn (HT)"),
    keywords=("ht",),
    usage=USAGE,
    example=example,
    run=_record,
    roles=SUPPORT_LEDGER.roles,
)
