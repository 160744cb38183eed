"""Which unit a manager's question is about, limited to the units their roles cover.

Shared by the area summary and the review progress. ``/tomtat`` alone answers for the one unit
a manager covers; ``/tomtat Tân Hòa`` (or a path, ``Tân Lập / Tân Hòa``) names a unit inside it;
a manager with several areas picks one from buttons. A unit outside the manager's area is
answered exactly like a unit that does not exist, so nothing outside it is revealed.
"""

from __future__ import annotations

from typing import Any

from bot.flows.answers import AnswerType, Choice
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Step
from bot.flows.messages import Option
from bot.i18n import _, __
from poverty.errors import InvalidInputError, ParseError
from poverty.text import without_nul
from storage.access import Access
from storage.units import MAX_SUGGESTIONS, Unit, get_unit, matching_units, unit_reference

MANAGING_ROLES = frozenset({"manager", "admin"})
UNIT_KEY = "don_vi"
KEY_PREFIX = "dv"
"""Option keys are ``dv<unit id>``: a bare number would read as the option's position."""
OPTIONS_KEY = "lua_chon_don_vi"

ASK_UNIT = __("Anh/chị muốn xem đơn vị nào? Chọn dưới đây hoặc gõ tên đơn vị.")
UNIT_NOT_IN_AREA = __("Không tìm thấy đơn vị “{name}” trong địa bàn của anh/chị.")
UNIT_AMBIGUOUS_IN_AREA = __(
    "Địa bàn của anh/chị có {count} đơn vị tên “{name}”; hãy gõ một trong: {choices}."
)


def managed(access: Access) -> Access:
    """The part of ``access`` that lets a person see summaries: manager and admin grants."""
    grants = tuple(g for g in access.grants if g.role in MANAGING_ROLES)
    return Access(access.user_id, access.name, grants)


class UnitInArea(AnswerType):
    """A unit among the offered ones (number, button or name), or any unit typed by name or
    path that lies inside the manager's area. The value is the unit id."""

    def __init__(self, options: tuple[Option, ...]) -> None:
        self._choice = Choice(options)

    async def resolve(self, context: FlowContext, text: str) -> Any:
        try:
            return int(self._choice.parse(text).removeprefix(KEY_PREFIX))
        except ParseError:
            pass
        name = " ".join(without_nul(text).split())[:80]
        area = managed(context.access)
        inside = [
            unit for unit in await matching_units(context.session, text) if area.covers(unit.path)
        ]
        if len(inside) == 1:
            return inside[0].id
        if inside:
            choices = [await unit_reference(context.session, u) for u in inside[:MAX_SUGGESTIONS]]
            raise InvalidInputError(
                UNIT_AMBIGUOUS_IN_AREA,
                count=len(inside),
                name=name,
                choices="; ".join(f"“{choice}”" for choice in choices),
            )
        raise InvalidInputError(UNIT_NOT_IN_AREA, name=name)

    def options(self) -> tuple[Option, ...]:
        return self._choice.options()

    def hint(self) -> str:
        return _(ASK_UNIT)


def unit_step(answers: Answers) -> Step:
    options = tuple(Option(f"{KEY_PREFIX}{i}", name) for i, name in answers.get(OPTIONS_KEY, ()))
    return Step(UNIT_KEY, ask=ASK_UNIT, answer=UnitInArea(options))


async def start_in_area(context: FlowContext) -> Answers:
    """The unit when it needs no question (one area, nothing typed), else the buttons."""
    scope = managed(context.access).scope()
    if not context.text.strip() and len(scope) == 1:
        return {UNIT_KEY: scope[0].unit_id}
    return {OPTIONS_KEY: [[g.unit_id, g.unit_name] for g in scope]}


async def chosen_unit(context: FlowContext, answers: Answers) -> Unit:
    return await get_unit(context.session, int(answers[UNIT_KEY]))
