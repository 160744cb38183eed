"""``hỗ trợ TL00001``: record a support the household received, by guided questions.

Steps: the household (of the user's area), the policy (catalogue code or words, or ``khác:``
and a name), the day, the amount or quantity, who provided it, and — when the household has
open follow-ups — which one this support solved (that follow-up is then closed).
``hỗ trợ`` alone or followed by a household code starts it; ``hỗ trợ nhà ở`` stays a policy
question for the policy lookup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.flows.answers import Choice, Text
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.flows.support_answers import (
    HouseholdInArea,
    PolicyAnswer,
    SupportAmount,
    SupportDay,
)
from bot.flows.support_plan import actor_of
from bot.i18n import _, __
from poverty.formatting import format_date, format_money
from poverty.policies import policy_by_code
from poverty.support_plans import load_support_lists
from poverty.text import fold
from storage.support_ledger import NewSupport, record_support, support_label

TITLE = __("Ghi hỗ trợ cho hộ")
ASK_HOUSEHOLD = __("Mã hộ đã nhận hỗ trợ?")
ASK_POLICY = __(
    "Hộ {code} nhận hỗ trợ gì? Gõ mã hoặc tên chính sách (ví dụ: bhyt, vay_ho_ngheo, sinh_ke), "
    "hoặc “khác: <tên chương trình>”."
)
ASK_DAY = __("Ngày hỗ trợ? (ví dụ: 15/3, 15/03/2026 hoặc “hôm nay”)")
ASK_AMOUNT = __(
    "Số tiền hoặc số lượng? (ví dụ: 5 triệu, 5tr, 5.000.000 hoặc 2 con bò; gõ “không” nếu không có)"
)
ASK_PROVIDER = __("Đơn vị hoặc tổ chức hỗ trợ? (ví dụ: UBND xã, NHCSXH, Hội Phụ nữ)")
ASK_FOLLOWUP = __("Khoản hỗ trợ này đã giải quyết việc nào của hộ?")
NONE_SOLVED = "khong"
NONE_SOLVED_LABEL = __("Chưa giải quyết việc nào")
SAVED = __("Đã ghi hỗ trợ cho hộ {code}: {what}, ngày {day}, do {provider}.")
SAVED_AMOUNT = __("Giá trị: {amount}.")
CLOSED = __("Đã đóng việc cần theo dõi: {indicator}.")
_CODE_LIKE = re.compile(r"\d")


def claims(folded: str) -> bool:
    """``hỗ trợ`` alone, or followed by one word holding a digit (a household code)."""
    if folded in ("ho tro", "ghi ho tro"):
        return True
    words = folded.split()
    lead = 3 if folded.startswith("ghi ho tro ") else 2 if folded.startswith("ho tro ") else 0
    return bool(lead) and len(words) == lead + 1 and bool(_CODE_LIKE.search(words[-1]))


def _household(answers: Answers) -> dict[str, Any]:
    value: dict[str, Any] = answers["ho"]
    return value


def _followup_options(answers: Answers) -> list[Option]:
    policy = answers.get("chinh_sach") or {}
    found = policy_by_code(policy.get("code") or "")
    addressed = set(found.indicators) if found else set()
    items = sorted(_household(answers).get("followups", []), key=lambda f: f[1] not in addressed)
    options = [Option(str(fid), name) for fid, _indicator, name in items]
    return [*options, Option(NONE_SOLVED, NONE_SOLVED_LABEL)]


def _steps(answers: Answers) -> Sequence[Step]:
    return (
        Step("ho", ASK_HOUSEHOLD, HouseholdInArea(with_followups=True)),
        Step(
            "chinh_sach",
            lambda a: _(ASK_POLICY).format(code=_household(a)["code"]),
            PolicyAnswer(),
        ),
        Step("ngay", ASK_DAY, SupportDay()),
        Step("gia_tri", ASK_AMOUNT, SupportAmount()),
        Step("don_vi", ASK_PROVIDER, Text(max_length=120)),
        Step(
            "viec",
            ASK_FOLLOWUP,
            Choice(_followup_options(answers) if "ho" in answers else []),
            when=lambda a: bool(_household(a).get("followups")),
        ),
    )


def provider_name(text: str) -> str:
    """A mass organisation's full name when ``text`` names one, else the text as typed."""
    organisation = load_support_lists().organisation(text)
    return organisation.name if organisation is not None else text


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    household = _household(answers)
    policy = answers["chinh_sach"]
    amount = answers["gia_tri"]
    solved = answers.get("viec")
    followup_id = int(solved) if solved and solved != NONE_SOLVED else None
    provider = provider_name(answers["don_vi"])
    support = NewSupport(
        household_id=household["id"],
        given_on=date.fromisoformat(answers["ngay"]),
        policy_code=policy.get("code"),
        description=policy.get("description"),
        amount=amount.get("money"),
        quantity=amount.get("quantity"),
        provider=provider,
        followup_id=followup_id,
    )
    await record_support(context.session, support, actor_of(context), context.channel, context.now)
    what = _(support_label(support.policy_code, support.description))
    lines = [
        _(SAVED).format(
            code=household["code"],
            what=what,
            day=format_date(support.given_on),
            provider=_(provider),
        )
    ]
    if support.amount is not None:
        lines.append(_(SAVED_AMOUNT).format(amount=format_money(support.amount)))
    elif support.quantity:
        lines.append(_(SAVED_AMOUNT).format(amount=support.quantity))
    if followup_id is not None:
        name = next(n for fid, _i, n in household["followups"] if str(fid) == solved)
        lines.append(_(CLOSED).format(indicator=_(name)))
    return [Outbound("\n".join(lines))]


SUPPORT_LEDGER = Flow(
    name="support_ledger",
    title=TITLE,
    steps=_steps,
    finish=_finish,
    keywords=("ghi ho tro", "/hotro", "hotro"),
    matches=lambda folded: claims(fold(folded)),
    describe=lambda a: _household(a)["code"] if "ho" in a else _(TITLE),
)
