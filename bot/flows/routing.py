"""Outside any flow: which flow a free-text message asks for, and the menu of a user's role.

Keywords are matched after folding, longest first, as the whole message or its first words
(``kiểm tra hộ TL00001`` starts the household check and hands it ``TL00001``). A flow may also
claim other text with its ``matches`` predicate (a policy question without a keyword).
A bare number picks that line of the menu, so numbered menus work on SMS and the console.
On brief channels (SMS) a message that is not understood gets one line listing the compact
codes the person may use (:func:`code_help`) instead of the long menu. A keyword typed with a
typo (``kiem tar``) is found by :func:`near_keyword`, with the same measure as a typo in a
policy name (:func:`poverty.policy_search.closest_phrase`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from bot.flows.flow import Flow
from bot.flows.messages import Option, Outbound
from bot.i18n import _, __
from poverty.policy_search import closest_phrase
from poverty.text import fold
from storage.access import Access

BRIEF_CHANNELS: tuple[str, ...] = ("sms",)
"""Channels whose replies must stay short: the codes line replaces the menu there."""
CODES_LINE = __("Soạn: {codes}.")
GUEST_CODES = __("Nếu anh/chị đã có mã mời, xin soạn: {codes}.")

ROLE_LABELS = {
    "admin": __("quản trị"),
    "manager": __("lãnh đạo"),
    "cadre": __("cán bộ rà soát"),
    "mentor": __("người đỡ đầu"),
}


@dataclass(frozen=True)
class Match:
    """The flow a message asks for and the rest of the message after its keyword."""

    flow: Flow
    rest: str
    keyword: str = ""
    """The folded keyword found (set by :func:`near_keyword`, to suggest it)."""


def allowed_flows(flows: Sequence[Flow], access: Access) -> list[Flow]:
    """The flows of the user's menu: those of their roles; public flows are never listed."""
    return [f for f in flows if not f.public and access.has_role(f.roles)]


@functools.lru_cache(maxsize=64)
def _keywords_by_first_word(
    flows: tuple[Flow, ...],
) -> dict[str, tuple[tuple[str, Flow], ...]]:
    """Every folded keyword of ``flows`` with its flow, under the keyword's first word, longest
    first. The engine asks with the same few tuples of flows on every message, so each index is
    built once."""
    index: dict[str, list[tuple[str, Flow]]] = {}
    for flow in flows:
        for keyword in flow.keywords:
            folded = fold(keyword)
            index.setdefault(folded.split(" ", 1)[0], []).append((folded, flow))
    return {
        first: tuple(sorted(found, key=lambda item: -len(item[0])))
        for first, found in index.items()
    }


def match_keyword(flows: Sequence[Flow], text: str) -> Match | None:
    """The flow whose keyword starts ``text``; the longest keyword wins."""
    return _by_keyword(flows, fold(text), text)


def match_flow(flows: Sequence[Flow], text: str, *, interrupting: bool = False) -> Match | None:
    """The flow whose keyword starts ``text`` (longest keyword wins), else one that claims it;
    ``interrupting``: the text was typed at another flow's question, so a flow's stricter
    ``interrupts`` claim applies where it has one."""
    folded = fold(text)
    found = _by_keyword(flows, folded, text)
    if found is not None:
        return found
    for flow in flows:
        claims = flow.interrupts if interrupting and flow.interrupts else flow.matches
        if claims is not None and claims(folded):
            return Match(flow, text.strip())
    return None


def _by_keyword(flows: Sequence[Flow], folded: str, text: str) -> Match | None:
    candidates = _keywords_by_first_word(tuple(flows)).get(folded.split(" ", 1)[0], ())
    for keyword, flow in candidates:
        if folded == keyword or folded.startswith(keyword + " "):
            return Match(flow, " ".join(text.split()[len(keyword.split()) :]))
    return None


NEAR_MISS_WORDS = 3
"""A typo is looked for in the first one to three words of a message."""


def near_keyword(flows: Sequence[Flow], text: str) -> Match | None:
    """The flow one of whose keywords the first words of ``text`` nearly spell (``kiem tar``,
    ``tom tta TL00001``), with the rest of the message. Slash keywords and the two-letter
    compact codes are left out: they are too short to tell a typo from another word."""
    original = text.split()
    keywords = {
        fold(k): flow
        for flow in flows
        if flow.code is None
        for k in flow.keywords
        if not k.startswith("/")
    }
    for count in range(min(NEAR_MISS_WORDS, len(original)), 0, -1):
        found = closest_phrase(" ".join(original[:count]), keywords)
        if found is not None:
            return Match(keywords[found], " ".join(original[count:]), found)
    return None


def menu_pick(flows: Sequence[Flow], text: str) -> Flow | None:
    """The menu line a bare number names."""
    flows = [f for f in flows if f.listed]
    folded = fold(text)
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= len(flows):
        return flows[int(folded) - 1]
    return None


def code_help(flows: Sequence[Flow], access: Access, note: str | None = None) -> Outbound:
    """One short message: ``note`` and the compact codes of ``flows``; the menu when none of
    them has a code."""
    codes = [_(f.code) for f in flows if f.code]
    if not codes:
        found = menu(flows, access)
        return Outbound(f"{note}\n{found.text}" if note else found.text, found.choices)
    line = _(CODES_LINE).format(codes="; ".join(codes))
    return Outbound(f"{note} {line}" if note else line)


def guest_codes(flows: Sequence[Flow]) -> str | None:
    """For someone without an account: the codes of the public flows (``DK mã_mời``)."""
    codes = [_(f.code) for f in flows if f.public and f.code]
    return _(GUEST_CODES).format(codes="; ".join(codes)) if codes else None


def menu(flows: Sequence[Flow], access: Access) -> Outbound:
    """What this user can do, as choices; a button sends the flow's first keyword."""
    flows = [f for f in flows if f.listed]
    if not flows:
        return Outbound(_("Hiện chưa có việc nào dành cho vai trò của anh/chị."))
    lines = [_("Anh/chị muốn làm gì? Chọn một việc dưới đây hoặc gõ từ khóa:")]
    for flow in flows:
        keyword = flow.keywords[0] if flow.keywords else flow.name
        lines.append(_("• {title}: gõ “{keyword}”").format(title=_(flow.title), keyword=keyword))
    lines.append(_("Khi đang trả lời: /quaylai để sửa câu trước, /huy để hủy, /giup để hỏi cách."))
    choices = tuple(Option(f.keywords[0] if f.keywords else f.name, _(f.title)) for f in flows)
    return Outbound("\n".join(lines), choices)


def roles_text(access: Access) -> str:
    """``cán bộ rà soát (Tân Lập)``: each role with the units it covers."""
    parts = [
        _("{role} ({unit})").format(role=_(ROLE_LABELS.get(g.role, g.role)), unit=g.unit_name)
        for g in access.grants
    ]
    return ", ".join(parts)
