"""Policy lookup: find a support policy by a few words, or list what one household qualifies for.

- ``chinh sach bhyt``, ``tra cuu hoc phi``, ``cs vay von``, or just ``bao hiem y te`` outside
  any flow (the flow claims free text that plainly names a policy): one policy gives its card
  (who qualifies, legal basis, what to do, and a “Lưu ý” line when the catalogue marks it as
  not yet checked); several give a numbered list to pick from.
- ``chinh sach cho ho TL00012`` (or ``cs ho Nguyễn Văn An``): the household is looked up only in
  the user's area; its official status and latest known deprivations give the policies it
  qualifies for, each with the reason (:func:`poverty.policies.policies_for`).

Steps: ``tim`` (the words, or the household), then ``chon`` when several policies or
households match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from bot.flows.answers import AnswerType, Choice
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.i18n import _, __
from poverty.classification import CLASS_LABELS, PovertyClass
from poverty.errors import InvalidInputError
from poverty.formatting import format_date, format_int
from poverty.policies import STATUS_LABELS, Policy, PolicyMatch, policies_for, policy_by_code
from poverty.policy_search import PolicyIndex, is_policy_query, names_policy, search_policies
from poverty.standards import all_standards
from poverty.text import fold
from storage.household_policies import HouseholdNeeds, household_needs
from storage.household_search import HouseholdInfo, search_households
from storage.local_policies import catalogue_for

MAX_RESULTS = 6
MAX_HOUSEHOLDS = 8
MAX_QUERY = 120
LEADING_WORDS = (("chinh", "sach"), ("tra", "cuu"), ("cs",))
_HAS_DIGIT = re.compile(r"\d")

ASK_QUERY = __(
    "Anh/chị muốn tra cứu chính sách gì? Gõ vài từ, ví dụ: bảo hiểm y tế, học phí, vay vốn, "
    "nhà ở, tiền điện. Hoặc gõ “cho hộ” và mã hộ, ví dụ: cho hộ TL00001."
)
HELP_QUERY = __(
    "Gõ tên hoặc vài từ của chính sách, có dấu hay không dấu đều được (bhyt, hoc phi, vay von, "
    "nha o, tien dien, tro giup phap ly, hoc nghe). Để xem chính sách cho một hộ, gõ “cho hộ” "
    "và mã hộ hoặc tên chủ hộ."
)
NO_POLICY = __(
    "Chưa tìm thấy chính sách nào cho “{text}”. Anh/chị thử gõ: bảo hiểm y tế, học phí, "
    "vay vốn, nhà ở, tiền điện, trợ giúp pháp lý, học nghề."
)
QUERY_TOO_LONG = __("Xin gõ ngắn gọn, không quá {max} ký tự.")
HOUSEHOLD_NOT_FOUND = __("Không tìm thấy hộ “{text}” trong địa bàn của anh/chị.")
TOO_MANY_HOUSEHOLDS = __(
    "Có {count} hộ khớp với “{text}”. Xin gõ mã hộ, hoặc thêm tên thôn sau dấu phẩy."
)
ASK_PICK_POLICY = __("Có {count} chính sách phù hợp. Anh/chị muốn xem chính sách nào?")
ASK_PICK_HOUSEHOLD = __("Có {count} hộ khớp. Anh/chị chọn hộ nào?")

WHO = __("Ai được hưởng:")
LEGAL_BASIS = __("Căn cứ: {documents}.")
HOW_TO = __("Cần làm: {text}")
NOTE = __("Lưu ý: {text}")
CHECKED_ON = __("Thông tin kiểm tra lần cuối ngày {date}.")
LOCAL_CARD = __("Chính sách riêng của tỉnh {province}.")
TOP_UP_OF = __("Bổ sung cho chính sách: {name}.")
LOAN_CEILING = __("Mức vay: {text}")
LOAN_RATE = __("Lãi suất: {text}")
LOAN_TERM = __("Thời hạn vay: {text}")
LOAN_ASK = __(
    "{what}: xin hỏi tại điểm giao dịch Ngân hàng Chính sách xã hội ở xã (hoặc Tổ tiết kiệm và "
    "vay vốn ở thôn)."
)
LOAN_PARTS = (
    ("ceiling", __("Mức vay"), LOAN_CEILING),
    ("rate", __("Lãi suất"), LOAN_RATE),
    ("term", __("Thời hạn vay"), LOAN_TERM),
)
LOCAL_LABEL = __("{name} (tỉnh {province})")
LOCAL_TOP_UPS = __("Địa phương hỗ trợ thêm: {names} (gõ tên để xem).")

HOUSEHOLD_LINE = __("Hộ {code} – {name}: {status}.")
STATUS_WITH_YEAR = __("{status} (năm {year})")
NO_OFFICIAL_STATUS = __("chưa có phân loại chính thức")
NEWLY_ESCAPED = __("Hộ mới thoát nghèo (ra khỏi danh sách trong 3 năm gần đây).")
DEPRIVED_BY_CHECK = __("Thiếu hụt theo lần kiểm tra ngày {date}: {names}.")
DEPRIVED_BY_RECORD = __("Thiếu hụt theo danh sách chính thức năm {year}: {names}.")
NO_DEPRIVATION_BY_CHECK = __("Lần kiểm tra ngày {date} không ghi nhận thiếu hụt nào.")
NO_DEPRIVATION_BY_RECORD = __("Danh sách chính thức năm {year} không ghi nhận thiếu hụt nào.")
NO_DEPRIVATION_DATA = __("Chưa có thông tin về các chỉ số thiếu hụt của hộ.")
FOR_DEPRIVATIONS = __("Chính sách giúp khắc phục thiếu hụt của hộ:")
FOR_STATUS = __("Chính sách hộ được hưởng theo diện:")
FOR_STATUS_OTHERS = __("Chính sách khác hộ được hưởng theo diện:")
ADDRESSING_LINE = __("{number}. {name} – giúp khắc phục: {indicators}. {entitlements}.")
STATUS_LINE = __("{number}. {name} – {statuses}")
NOTHING_BY_STATUS = __(
    "Theo phân loại hiện tại, hộ chưa thuộc diện của chính sách nào trong danh mục."
)
SEE_DETAILS = __("Gõ tên chính sách (ví dụ: bhyt) để xem điều kiện và cách làm.")


def _strip_leading(words: list[str]) -> int:
    """How many words at the front only say “policy” or “look up”."""
    start = 0
    found = True
    while found:
        found = False
        for lead in LEADING_WORDS:
            if tuple(words[start : start + len(lead)]) == lead:
                start, found = start + len(lead), True
    return start


def _household_target(text: str) -> tuple[str, bool] | None:
    """``(household text, certain)`` when ``text`` asks for a household's policies:
    ``cho hộ X`` is certain; ``hộ X`` is when X holds a digit (a code), otherwise X may also be
    a policy (``hỗ trợ nhà ở`` folds like ``hộ …``)."""
    original = text.split()
    words = fold(text).split()
    if len(words) != len(original):
        return None
    start = _strip_leading(words)
    if words[start : start + 2] == ["cho", "ho"] and len(words) > start + 2:
        return " ".join(original[start + 2 :]), True
    if words[start : start + 1] == ["ho"] and len(words) > start + 1:
        rest = " ".join(original[start + 1 :])
        return rest, bool(_HAS_DIGIT.search(rest))
    return None


def _household_option(info: HouseholdInfo) -> dict[str, str]:
    return {"code": info.code, "label": f"{info.code} – {info.head_name} ({info.place})"}


async def search_catalogue(
    context: FlowContext, query: str, limit: int
) -> tuple[list[Policy], tuple[Policy, ...]]:
    """The policies ``query`` finds among the national ones and the own policies of the
    person's provinces, best first; and that whole catalogue."""
    catalogue = await catalogue_for(context.session, context.access)
    if any(policy.is_local for policy in catalogue):
        return [hit.policy for hit in PolicyIndex(catalogue).rank(query, limit)], catalogue
    return search_policies(query, limit), catalogue


class PolicyQuery(AnswerType):
    """Words naming a policy, or ``cho hộ`` and a household code or head's name."""

    async def resolve(self, context: FlowContext, text: str) -> Any:
        query = " ".join(text.split())
        if len(query) > MAX_QUERY:
            raise InvalidInputError(QUERY_TOO_LONG, max=MAX_QUERY)
        target = _household_target(query)
        if target is not None:
            name, certain = target
            result = await search_households(context.session, context.access, name, MAX_HOUSEHOLDS)
            if result.total > MAX_HOUSEHOLDS:
                raise InvalidInputError(
                    TOO_MANY_HOUSEHOLDS, count=format_int(result.total), text=name
                )
            if result.total == 1:
                return {"ho": result.matches[0].code}
            if result.total > 1:
                return {"ung_vien_ho": [_household_option(info) for info in result.matches]}
            if certain:
                raise InvalidInputError(HOUSEHOLD_NOT_FOUND, text=name)
        found, _catalogue = await search_catalogue(context, query, MAX_RESULTS)
        if not found:
            raise InvalidInputError(NO_POLICY, text=query)
        return {
            "chinh_sach": [policy.code for policy in found],
            "ten": {policy.code: policy_label(policy) for policy in found if policy.is_local},
        }

    def hint(self) -> str:
        return _(HELP_QUERY)


def _found(answers: Answers) -> dict[str, Any]:
    value = answers.get("tim")
    return value if isinstance(value, dict) else {}


def _options(answers: Answers) -> tuple[Option, ...]:
    found = _found(answers)
    if "ung_vien_ho" in found:
        return tuple(Option(item["code"], item["label"]) for item in found["ung_vien_ho"])
    local = found.get("ten", {})
    options = []
    for code in found.get("chinh_sach", ()):
        policy = policy_by_code(code)
        if code in local:
            options.append(Option(code, str(local[code])))
        elif policy is not None:
            options.append(Option(code, _(policy.name)))
    return tuple(options)


def _needs_pick(answers: Answers) -> bool:
    return len(_options(answers)) > 1


def _ask_pick(answers: Answers) -> str:
    template = ASK_PICK_HOUSEHOLD if "ung_vien_ho" in _found(answers) else ASK_PICK_POLICY
    return _(template).format(count=len(_options(answers)))


QUERY_STEP = Step("tim", ask=ASK_QUERY, answer=PolicyQuery(), help=HELP_QUERY)


def _steps(answers: Answers) -> Sequence[Step]:
    if not _needs_pick(answers):
        return [QUERY_STEP]
    pick = Step("chon", ask=_ask_pick, answer=Choice(_options(answers)))
    return [QUERY_STEP, pick]


def policy_label(policy: Policy) -> str:
    """The policy's name, with its province when it is a province's own card."""
    if policy.province is None:
        return _(policy.name)
    return _(LOCAL_LABEL).format(name=_(policy.name), province=policy.province)


def _loan_lines(policy: Policy) -> list[str]:
    """What the card knows of the loan, then where to ask for the rest."""
    if policy.loan is None:
        return []
    lines, missing = [], []
    for key, label, line in LOAN_PARTS:
        value = getattr(policy.loan, key)
        if value is None:
            missing.append(_(label))
        else:
            lines.append(_(line).format(text=_(value)))
    if missing:
        what = ", ".join(missing)
        lines.append(_(LOAN_ASK).format(what=what[:1].upper() + what[1:].lower()))
    return lines


def policy_card(policy: Policy, catalogue: Sequence[Policy] = ()) -> str:
    """The policy in a few short lines: name (and province, for a province's own card),
    summary, who qualifies, the loan's terms, basis, what to do, the day it was last checked.
    ``catalogue`` names the national policy a top-up adds to."""
    lines = [_(policy.name)]
    if policy.province is not None:
        lines.append(_(LOCAL_CARD).format(province=policy.province))
    if policy.top_up_of is not None:
        national = next((p for p in catalogue if p.code == policy.top_up_of), None)
        name = _(national.name) if national is not None else policy.top_up_of
        lines.append(_(TOP_UP_OF).format(name=name))
    lines += [_(policy.summary), _(WHO)]
    for entitlement in policy.eligible:
        if entitlement.status is None:
            lines.append(f"• {_(entitlement.condition)}")
        else:
            lines.append(f"• {_(STATUS_LABELS[entitlement.status])}: {_(entitlement.condition)}")
    lines += _loan_lines(policy)
    lines.append(_(LEGAL_BASIS).format(documents="; ".join(policy.legal_basis)))
    lines.append(_(HOW_TO).format(text=_(policy.how_to)))
    if policy.note is not None:
        lines.append(_(NOTE).format(text=_(policy.note)))
    top_ups = [policy_label(p) for p in catalogue if p.top_up_of == policy.code]
    if top_ups:
        lines.append(_(LOCAL_TOP_UPS).format(names="; ".join(top_ups)))
    if policy.checked_on is not None:
        lines.append(_(CHECKED_ON).format(date=format_date(policy.checked_on)))
    return "\n".join(lines)


@cache
def _indicator_names() -> dict[str, str]:
    """Indicator code → name; the newest standard's wording wins."""
    names: dict[str, str] = {}
    for standard in reversed(all_standards()):
        for indicator in standard.indicators:
            names.setdefault(indicator.code, indicator.name)
    return names


def _names(codes: Sequence[str]) -> str:
    names = _indicator_names()
    return ", ".join(_(names[code]) if code in names else code for code in codes)


def _status_text(needs: HouseholdNeeds) -> str:
    if needs.official_status not in CLASS_LABELS:
        return _(NO_OFFICIAL_STATUS)
    label = _(CLASS_LABELS[cast(PovertyClass, needs.official_status)])
    if needs.official_year is None:
        return label
    return _(STATUS_WITH_YEAR).format(status=label, year=needs.official_year)


def _deprivation_line(needs: HouseholdNeeds, context: FlowContext) -> str:
    if needs.source == "assessment" and needs.assessed_at is not None:
        day = format_date(needs.assessed_at.astimezone(context.tz).date())
        if needs.deprived:
            return _(DEPRIVED_BY_CHECK).format(date=day, names=_names(needs.deprived))
        return _(NO_DEPRIVATION_BY_CHECK).format(date=day)
    if needs.source == "official_record" and needs.record_year is not None:
        if needs.deprived:
            return _(DEPRIVED_BY_RECORD).format(
                year=needs.record_year, names=_names(needs.deprived)
            )
        return _(NO_DEPRIVATION_BY_RECORD).format(year=needs.record_year)
    return _(NO_DEPRIVATION_DATA)


def _entitlements(match: PolicyMatch) -> str:
    """``Hộ nghèo: Ngân sách nhà nước đóng 100% mức đóng BHYT``: what the status gives."""
    return "; ".join(
        f"{_(STATUS_LABELS[e.status])}: {_(e.condition).rstrip('.')}"
        for e in match.entitlements
        if e.status is not None
    )


def _statuses(match: PolicyMatch) -> str:
    labels = (_(STATUS_LABELS[e.status]) for e in match.entitlements if e.status is not None)
    return ", ".join(dict.fromkeys(labels))


def household_policies_text(
    needs: HouseholdNeeds, context: FlowContext, catalogue: Sequence[Policy] | None = None
) -> str:
    """The household, its status and deprivations, then the policies it qualifies for: first
    those that address one of its deprivations (with what its status gives), then the others
    its status entitles it to (names only; the card of each has the details). ``catalogue``:
    the national policies and the province's own (default: the national ones)."""
    lines = [
        _(HOUSEHOLD_LINE).format(code=needs.code, name=needs.head_name, status=_status_text(needs))
    ]
    if needs.newly_escaped:
        lines.append(_(NEWLY_ESCAPED))
    lines.append(_deprivation_line(needs, context))
    matches = policies_for(
        needs.official_status, needs.deprived, needs.newly_escaped, policies=catalogue
    )
    if not matches:
        lines.append(_(NOTHING_BY_STATUS))
        return "\n".join(lines)
    addressing = [m for m in matches if m.addresses]
    others = [m for m in matches if not m.addresses]
    if addressing:
        lines.append(_(FOR_DEPRIVATIONS))
    for number, match in enumerate(addressing, 1):
        lines.append(
            _(ADDRESSING_LINE).format(
                number=number,
                name=policy_label(match.policy),
                indicators=_names(match.addresses),
                entitlements=_entitlements(match),
            )
        )
    if others:
        lines.append(_(FOR_STATUS_OTHERS if addressing else FOR_STATUS))
    for number, match in enumerate(others, len(addressing) + 1):
        lines.append(
            _(STATUS_LINE).format(
                number=number, name=policy_label(match.policy), statuses=_statuses(match)
            )
        )
    lines.append(_(SEE_DETAILS))
    return "\n".join(lines)


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    found = _found(answers)
    picked = answers.get("chon")
    if "ho" in found or "ung_vien_ho" in found:
        code = str(found.get("ho", picked))
        needs = await household_needs(context.session, context.access, code, context.today)
        if needs is None:
            raise InvalidInputError(HOUSEHOLD_NOT_FOUND, text=code)
        catalogue = await catalogue_for(context.session, context.access)
        return [Outbound(household_policies_text(needs, context, catalogue))]
    codes = found.get("chinh_sach", ())
    code = str(picked if picked is not None else codes[0])
    catalogue = await catalogue_for(context.session, context.access)
    policy = next((p for p in catalogue if p.code == code), None)
    if policy is None:
        raise InvalidInputError(NO_POLICY, text=code)
    return [Outbound(policy_card(policy, catalogue))]


POLICY_LOOKUP = Flow(
    name="policy_lookup",
    title=__("Tra cứu chính sách"),
    steps=_steps,
    finish=_finish,
    keywords=("chinh sach", "/chinhsach", "tra cuu", "cs"),
    matches=is_policy_query,
    interrupts=names_policy,
)
