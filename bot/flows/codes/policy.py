"""``CS <từ khóa>``: a support policy in one reply; ``CS cho hộ <mã hộ>``: what one household
of the user's area qualifies for.

The best match only, never a list to pick from, so the code needs no second message. Brief
channels (SMS) get the policy in two or three sentences (name, summary, what to do) and the
household's policies by name; other channels get the same full card as the guided lookup.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.flows.codes.base import code_flow
from bot.flows.context import FlowContext
from bot.flows.policy_lookup import household_policies_text, policy_card, search_catalogue
from bot.i18n import _, __
from poverty.classification import CLASS_LABELS
from poverty.errors import InvalidInputError
from poverty.policies import Policy, policies_for
from poverty.text import fold
from storage.household_policies import HouseholdNeeds, household_needs
from storage.household_search import search_households
from storage.local_policies import catalogue_for

MAX_QUERY = 120
USAGE = __("CS từ_khóa")
EXAMPLE = "CS bhyt"
"""One message that is always accepted (a policy every catalogue has), so sending the example
back works; ``CS cho hộ <mã hộ>`` is in the README and the one-line help of the codes."""
MISSING = __("Thiếu từ khóa chính sách.")
TOO_LONG = __("Từ khóa dài quá (tối đa {max} ký tự).")
NOT_FOUND = __("Chưa tìm thấy chính sách nào với từ khóa này.")
HOUSEHOLD_NOT_FOUND = __("Không tìm thấy hộ này trong địa bàn của anh/chị.")
SEVERAL_HOUSEHOLDS = __("Có {count} hộ khớp ({codes}...); xin soạn mã hộ.")
MAX_HOUSEHOLDS = 8
CARD = __("{name}: {summary} Cần làm: {how_to}")
HOUSEHOLD = __("Hộ {code} ({name}): {status}.")
STATUS_YEAR = __("{status} năm {year}")
NO_STATUS = __("chưa có phân loại chính thức")
QUALIFIES = __("Được hưởng: {names}.")
QUALIFIES_NONE = __("Chưa thuộc diện chính sách nào trong danh mục.")


async def example(context: FlowContext) -> str | None:
    return EXAMPLE


def _household_words(words: list[str]) -> str | None:
    """The household after ``cho hộ`` (a code or the head's name), or after ``hộ`` when it is
    one word holding a digit (a code: ``hộ nghèo`` stays a policy search); else None."""
    folded = [fold(w) for w in words]
    if folded[:2] == ["cho", "ho"] and len(words) > 2:
        return " ".join(words[2:])
    if folded[:1] == ["ho"] and len(words) == 2 and any(c.isdigit() for c in words[1]):
        return words[1]
    return None


async def _household(context: FlowContext, text: str) -> HouseholdNeeds:
    found = await search_households(context.session, context.access, text, MAX_HOUSEHOLDS)
    if found.total == 0:
        raise InvalidInputError(HOUSEHOLD_NOT_FOUND)
    if found.total > 1:
        codes = ", ".join(m.code for m in found.matches[:3])
        raise InvalidInputError(SEVERAL_HOUSEHOLDS, count=found.total, codes=codes)
    needs = await household_needs(
        context.session, context.access, found.matches[0].code, context.today
    )
    if needs is None:
        raise InvalidInputError(HOUSEHOLD_NOT_FOUND)
    return needs


def brief_card(policy: Policy) -> str:
    text = _(CARD).format(name=_(policy.name), summary=_(policy.summary), how_to=_(policy.how_to))
    return " ".join(text.split())


def brief_household(needs: HouseholdNeeds, catalogue: Sequence[Policy] | None = None) -> str:
    if needs.official_status in CLASS_LABELS:
        status = _(CLASS_LABELS[needs.official_status])  # type: ignore[index]
        if needs.official_year is not None:
            status = _(STATUS_YEAR).format(status=status, year=needs.official_year)
    else:
        status = _(NO_STATUS)
    head = _(HOUSEHOLD).format(code=needs.code, name=needs.head_name, status=status)
    matches = policies_for(
        needs.official_status, needs.deprived, needs.newly_escaped, policies=catalogue
    )
    names = "; ".join(_(m.policy.name) for m in matches)
    tail = _(QUALIFIES).format(names=names) if matches else _(QUALIFIES_NONE)
    return f"{head} {tail}"


async def run(context: FlowContext, words: list[str]) -> str:
    if not words:
        raise InvalidInputError(MISSING)
    query = " ".join(words)
    if len(query) > MAX_QUERY:
        raise InvalidInputError(TOO_LONG, max=MAX_QUERY)
    target = _household_words(words)
    if target is not None:
        needs = await _household(context, target)
        catalogue = await catalogue_for(context.session, context.access)
        if context.brief:
            return brief_household(needs, catalogue)
        return household_policies_text(needs, context, catalogue)
    found, catalogue = await search_catalogue(context, query, 1)
    if not found:
        raise InvalidInputError(NOT_FOUND)
    return brief_card(found[0]) if context.brief else policy_card(found[0], catalogue)


POLICY_CODE = code_flow(
    name="policy_code",
    title=__("Tra cứu chính sách bằng mã CS"),
    keywords=("cs",),
    usage=USAGE,
    example=example,
    run=run,
)
