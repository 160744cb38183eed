"""``HT <mã hộ> <chính sách> <số tiền> [ngày]``: record a support in one SMS.

For feature phones: ``HT TL00001 vay_ho_ngheo 5tr 15/3`` records a 5.000.000-đồng preferential
loan given on 15 March this year. The policy is a catalogue code or words naming one policy
(``bhyt``, ``nha o``); the amount is money in any common form (``5tr``, ``5 trieu``,
``5.000.000``, or ``0`` for support in kind); the day is optional (today). The flow has no
questions: it answers at once, with the saved record or what to fix and an example, like the
other compact codes (:func:`bot.flows.codes.base.code_flow`).

A policy the catalogue does not give to a household of its official status (a poor-household
loan for a household that is not poor; :func:`poverty.policies.is_entitled`) is not recorded at
once: the reply says why and how to confirm, the same message ending with ``DUNG``, as ``KT``
does for an unusual income. Money recorded against the wrong policy is hard to notice later.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from bot.flows.codes.base import code_flow
from bot.flows.context import FlowContext
from bot.flows.support_ledger import SUPPORT_LEDGER
from bot.flows.support_plan import actor_of
from bot.i18n import _, __
from poverty.classification import CLASS_LABELS, PovertyClass
from poverty.errors import InvalidInputError
from poverty.formatting import format_date, format_int
from poverty.parsing import parse_money
from poverty.policies import STATUS_LABELS, is_entitled, policies_for, policy_by_code
from poverty.support_input import looks_like_day, parse_day, pick_policy
from poverty.text import fold
from storage.household_policies import household_needs
from storage.household_search import first_household_code
from storage.support_ledger import NewSupport, record_support, support_label
from storage.support_plans import household_in_area

MAX_AMOUNT_WORDS = 4
USAGE = __("HT mã_hộ chính_sách số_tiền [ngày]")
EXAMPLE = "HT {code} {policy} 5tr"
EXAMPLE_OTHER = "HT {code} khac: qua Tet 500k"
"""For an area whose households the catalogue entitles to nothing: a support outside it."""
EXAMPLE_STATUSES = ("ngheo", "can_ngheo")
CONFIRM_WORDS = frozenset({"dung", "chac", "xac nhan"})
NOT_ENTITLED = __(
    "Hộ {code} ({status}) không thuộc diện “{policy}” (dành cho: {who}). "
    "Nếu vẫn đúng, gửi lại tin kèm chữ DUNG ở cuối: {example}"
)
NO_STATUS = __("chưa có phân loại chính thức")
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
    confirmed = bool(words) and fold(words[-1]) in CONFIRM_WORDS
    if confirmed:
        words = words[:-1]
    code, policy_words, amount, day = _split(words, context)
    household = await household_in_area(context.session, context.access, code)
    picked = pick_policy(policy_words)
    if picked.code is not None and not confirmed:
        await _check_entitled(context, household.code, picked.code, words[1:])
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


async def _check_entitled(
    context: FlowContext, code: str, policy_code: str, rest: list[str]
) -> None:
    """InvalidInputError asking for ``DUNG`` when the catalogue does not give the policy to
    this household's official status."""
    policy = policy_by_code(policy_code)
    needs = await household_needs(context.session, context.access, code, context.today)
    if policy is None or needs is None:
        return
    if is_entitled(policy, needs.official_status, needs.newly_escaped):
        return
    status = needs.official_status
    who = [_(STATUS_LABELS[e.status]) for e in policy.eligible if e.status is not None]
    raise InvalidInputError(
        NOT_ENTITLED,
        code=code,
        status=_(CLASS_LABELS[cast(PovertyClass, status)]).lower() if status else _(NO_STATUS),
        policy=_(support_label(policy_code, None)),
        who=", ".join(label.lower() for label in who),
        example=f"HT {code} {' '.join(rest)} DUNG",
    )


async def example(context: FlowContext) -> str | None:
    """A message that would be accepted now: a poor or near-poor household of the area and the
    first policy the catalogue gives it, else a support outside the catalogue."""
    session, access = context.session, context.access
    code = await first_household_code(session, access, EXAMPLE_STATUSES)
    if code is not None:
        needs = await household_needs(session, access, code, context.today)
        matches = policies_for(needs.official_status, ()) if needs is not None else []
        if matches:
            return EXAMPLE.format(code=code, policy=matches[0].policy.code)
    code = await first_household_code(session, access)
    return EXAMPLE_OTHER.format(code=code) if code is not None else None


SUPPORT_SMS = code_flow(
    name="support_sms",
    title=__("Ghi hỗ trợ bằng tin nhắn (HT)"),
    keywords=("ht",),
    usage=USAGE,
    example=example,
    run=_record,
    roles=SUPPORT_LEDGER.roles,
)
