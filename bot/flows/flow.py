"""Flows as data: a :class:`Flow` is a named list of :class:`Step` values.

A step asks one question, reads the reply with its answer type, and stores the value in the
conversation's answers under the step's ``name``. ``when`` skips a step (skip logic reads the
answers so far). The steps of a flow may be a fixed list or a function of the answers so far,
for flows whose questions depend on earlier replies or on data looked up earlier (the household
check builds its questions from the standard chosen at the start).

The engine always asks the first step that applies and has no answer yet, so adding a question
never means touching the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.flows.answers import AnswerType
from bot.flows.context import FlowContext
from bot.flows.messages import Outbound
from bot.i18n import _

Answers = dict[str, Any]
"""Step name → JSON-ready value. Flows may also keep facts there (set by ``start``)."""

ALL_ROLES: frozenset[str] = frozenset({"admin", "manager", "cadre", "mentor"})


@dataclass(frozen=True)
class Reopen:
    """An answer that asks to go back to earlier steps: the engine forgets the answers of
    ``steps`` and of the step that returned it, then asks the first step without an answer
    again (the household check's save screen opens one answer again by its number)."""

    steps: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One question. ``ask`` is a msgid (marked with ``__``) or a function of the answers that
    returns the translated text (summaries, lists found in the database). ``help`` overrides the
    answer type's hint for ``/giup``."""

    name: str
    ask: str | Callable[[Answers], str]
    answer: AnswerType
    when: Callable[[Answers], bool] | None = None
    help: str | None = None

    def applies(self, answers: Answers) -> bool:
        return self.when is None or bool(self.when(answers))

    def question(self, answers: Answers) -> Outbound:
        text = _(self.ask) if isinstance(self.ask, str) else self.ask(answers)
        return Outbound(text, self.answer.options())

    def hint(self) -> str:
        return _(self.help) if self.help else self.answer.hint()


StartHook = Callable[[FlowContext], Awaitable[Answers]]
FinishHook = Callable[[FlowContext, Answers], Awaitable[Sequence[Outbound]]]


async def _no_start(context: FlowContext) -> Answers:
    return {}


async def _thank(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    return [Outbound(_("Xong. Cảm ơn anh/chị!"))]


@dataclass(frozen=True, eq=False)
class Flow:
    """A conversation declared as data. Each flow is one object, compared and hashed by
    identity (its steps may be a function, which has no meaningful equality).

    - ``title``: msgid naming the flow in menus and notes (“Kiểm tra hộ”).
    - ``steps``: the steps, or a function of the answers giving them.
    - ``start(context)``: initial answers (facts such as the standard in force); the engine
      then asks the first step, feeding it whatever followed the keyword (“kiem tra TL00001”).
    - ``finish(context, answers)``: runs once every step is answered, in the same transaction;
      it writes what the flow produced and returns the closing replies. An
      ``InvalidInputError`` raised there undoes its writes and asks the last step again.
    - ``keywords``: what starts the flow from free text, matched after folding
      (``kiem tra``, ``/kiemtra``); ``matches(folded_text)`` may claim other free text.
    - ``interrupts(folded_text)``: the stricter claim that counts at another flow's question
      (a word of a policy's name is a request outside any flow, not inside a check's save
      screen); None: ``matches`` serves there too.
    - ``roles``: who may run it; ``describe(answers)`` names the work in progress when the
      engine offers to continue it.
    - ``public``: anyone may start it by keyword, people without an account included
      (onboarding by invite); it is never listed in a menu.
    - ``listed``: shown in the menu of the roles that may run it (compact codes are not).
    - ``code``: msgid of how to type the flow as one compact message (``BC``, ``CS từ_khóa``);
      brief channels (SMS) list these instead of the menu when a message is not understood.
    - ``by_household_code``: a message that is only the code of a household of the user's area
      (``TL00001``) starts this flow with it; the first such flow the user may run wins.
    """

    name: str
    title: str
    steps: Sequence[Step] | Callable[[Answers], Sequence[Step]]
    start: StartHook = _no_start
    finish: FinishHook = _thank
    keywords: tuple[str, ...] = ()
    matches: Callable[[str], bool] | None = None
    interrupts: Callable[[str], bool] | None = None
    roles: frozenset[str] = field(default=ALL_ROLES)
    describe: Callable[[Answers], str] | None = None
    public: bool = False
    listed: bool = True
    code: str | None = None
    by_household_code: bool = False

    def steps_for(self, answers: Answers) -> Sequence[Step]:
        return self.steps(answers) if callable(self.steps) else self.steps

    def next_step(self, answers: Answers) -> Step | None:
        """The first step that applies and has no answer yet; None when the flow is complete."""
        for step in self.steps_for(answers):
            if step.name not in answers and step.applies(answers):
                return step
        return None
