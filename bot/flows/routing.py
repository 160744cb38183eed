"""Outside any flow: which flow a free-text message asks for, and the menu of a user's role.

Keywords are matched after folding, longest first, as the whole message or its first words
(``kiểm tra hộ TL00001`` starts the household check and hands it ``TL00001``). A flow may also
claim other text with its ``matches`` predicate (a policy question without a keyword).
A bare number picks that line of the menu, so numbered menus work on SMS and the console.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.flows.flow import Flow
from bot.flows.messages import Option, Outbound
from bot.i18n import _, __
from poverty.text import fold
from storage.access import Access

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


def allowed_flows(flows: Sequence[Flow], access: Access) -> list[Flow]:
    """The flows of the user's menu: those of their roles; public flows are never listed."""
    return [f for f in flows if not f.public and access.has_role(f.roles)]


def match_flow(flows: Sequence[Flow], text: str) -> Match | None:
    """The flow whose keyword starts ``text`` (longest keyword wins), else one that claims it."""
    folded = fold(text)
    keywords = sorted(
        ((fold(k), f) for f in flows for k in f.keywords), key=lambda item: -len(item[0])
    )
    for keyword, flow in keywords:
        if folded == keyword or folded.startswith(keyword + " "):
            return Match(flow, " ".join(text.split()[len(keyword.split()) :]))
    for flow in flows:
        if flow.matches is not None and flow.matches(folded):
            return Match(flow, text.strip())
    return None


def menu_pick(flows: Sequence[Flow], text: str) -> Flow | None:
    """The menu line a bare number names."""
    folded = fold(text)
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= len(flows):
        return flows[int(folded) - 1]
    return None


def menu(flows: Sequence[Flow], access: Access) -> Outbound:
    """What this user can do, as choices; a button sends the flow's first keyword."""
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
