"""What every compact code shares: one message in, one short reply out, no state kept.

A code flow has no steps: ``start`` keeps the words after the keyword and ``finish`` reads them,
checks them, writes, and returns one reply, written to fit :data:`REPLY_LIMIT` (a longer one is
never cut: SMS sends it in pages). Bad input is answered at once with what is wrong
and an example, in the same reply; nothing is written and no conversation is left waiting, so
the person's next message is read afresh (on a feature phone the next message is usually the
corrected code, or another code).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.flows.answers import error_text
from bot.flows.context import FlowContext
from bot.flows.flow import ALL_ROLES, Answers, Flow
from bot.flows.messages import Outbound
from bot.i18n import _, __
from poverty.errors import InvalidInputError

REPLY_LIMIT = 300
"""Characters a reply may take once tone marks are stripped: two SMS parts of 153."""
EXAMPLE = __("Ví dụ: {example}")
MAX_CODE = 40
HOUSEHOLD_CODE_INVALID = __("Mã hộ chỉ gồm chữ không dấu, số và dấu gạch, tối đa 40 ký tự.")

Runner = Callable[[FlowContext, list[str]], Awaitable[str]]
"""Reads the words after the keyword, does the work, returns the reply; raises
:class:`InvalidInputError` for bad input before writing anything."""


def household_code(word: str) -> str:
    """A household code as typed (``tl00001``) in the stored upper-case form."""
    code = word.strip().upper()
    if not (1 <= len(code) <= MAX_CODE and code.isascii()) or not all(
        ch.isalnum() or ch in "-_." for ch in code
    ):
        raise InvalidInputError(HOUSEHOLD_CODE_INVALID)
    return code


def code_flow(
    *,
    name: str,
    title: str,
    keywords: Sequence[str],
    usage: str,
    example: Callable[[FlowContext], Awaitable[str | None]],
    run: Runner,
    roles: frozenset[str] = ALL_ROLES,
) -> Flow:
    """A flow that answers one compact message at once. ``usage`` is the msgid listed in the
    one-line help of brief channels; ``example(context)`` a complete message that would be
    accepted from this person now, built from their own data (None when there is none)."""

    async def start(context: FlowContext) -> Answers:
        return {"tin_nhan": context.text}

    async def finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
        words = str(answers.get("tin_nhan", "")).split()
        try:
            async with context.session.begin_nested():
                text = await run(context, words)
        except InvalidInputError as error:
            shown = await example(context)
            text = error_text(error)
            if shown is not None:
                text = f"{text} {_(EXAMPLE).format(example=shown)}"
        return [Outbound(text)]

    return Flow(
        name=name,
        title=title,
        steps=(),
        start=start,
        finish=finish,
        keywords=tuple(keywords),
        roles=roles,
        listed=False,
        code=usage,
    )
