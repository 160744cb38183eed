"""``BC``: submit the periodic report of the user's unit in one message.

``BC`` alone submits nothing: it shows the figures that would be sent for the report open for
the unit and the exact message that submits it (``BC 2026-Q4``), or lists the reports when
several are open. ``BC <kỳ>`` (``BC 2026-Q4``, ``BC q4``, ``BC 2026Y``) submits the one named.
No confirmation question is asked: on SMS a question leaves a conversation waiting, and the
next code the person sends would be read as its answer; naming the period in the message is
the confirmation, and a report already submitted is never submitted twice. The reply names
the report and the figures recorded, as ``nộp báo cáo`` does
(:func:`storage.reporting.submit_report`, audited).
"""

from __future__ import annotations

from bot.flows.codes.base import code_flow
from bot.flows.context import FlowContext
from bot.flows.report_submission import (
    ALREADY,
    NO_UNIT,
    NOTHING_DUE,
    REPORT_SUBMISSION,
    open_deadlines,
    report_name,
)
from bot.i18n import _, __
from poverty.calendar import Deadline, ReportCalendar, load_calendar
from poverty.errors import InvalidInputError
from poverty.formatting import format_date, format_int
from poverty.text import fold
from storage.audit import Actor
from storage.reporting import (
    ReportingUnit,
    reporting_units,
    submit_report,
    submitted_unit_ids,
    unit_figures,
)

USAGE = __("BC")
EXAMPLE = "BC {period}"
SEVERAL = __("{unit} có {count} báo cáo chờ nộp; xin soạn một mã: {codes}.")
PERIOD_CODE = __("BC {period} (hạn {due})")
UNKNOWN_PERIOD = __("Không có kỳ báo cáo này đang mở; đang chờ nộp: {codes}.")
SUBMITTED = __(
    "Đã nộp {report} của {unit}: {households} hộ, {poor} hộ nghèo, {near_poor} hộ cận nghèo."
)
CONFIRM = __(
    "{report} của {unit}: {households} hộ, {poor} hộ nghèo, {near_poor} hộ cận nghèo. Để nộp, "
    "gửi: {code}"
)
LEFT = __("Còn {count} báo cáo chờ nộp, soạn BC để xem.")


async def example(context: FlowContext) -> str | None:
    """The code of a report this person's unit still has to submit."""
    calendar = load_calendar(timezone=context.tz.key)
    unit = await _unit(context, calendar)
    if unit is None:
        return None
    for deadline in open_deadlines(calendar, context.today):
        if unit.id not in await submitted_unit_ids(context.session, deadline.period, [unit.id]):
            return EXAMPLE.format(period=deadline.period)
    return None


def _compact(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _named(deadlines: list[Deadline], text: str) -> Deadline | None:
    """The deadline ``text`` names: its key without separators, or its suffix when only one
    open deadline has it (``q4``, ``y``, ``rs``)."""
    wanted = _compact(text)
    exact = [d for d in deadlines if _compact(d.period) == wanted]
    if exact:
        return exact[0]
    ends = [d for d in deadlines if _compact(d.period)[4:] == wanted]
    return ends[0] if len(ends) == 1 else None


async def _unit(context: FlowContext, calendar: ReportCalendar) -> ReportingUnit | None:
    """The reporting unit that holds one of the user's submitting grants (as ``nộp báo cáo``)."""
    units = await reporting_units(context.session, calendar.unit_level)
    paths = [g.unit_path for g in context.access.grants if g.role in REPORT_SUBMISSION.roles]
    return next((u for u in units if any(p.startswith(u.path) for p in paths)), None)


def _codes(deadlines: list[Deadline]) -> str:
    return ", ".join(
        _(PERIOD_CODE).format(period=d.period, due=format_date(d.due)[:5]) for d in deadlines
    )


async def run(context: FlowContext, words: list[str]) -> str:
    calendar = load_calendar(timezone=context.tz.key)
    unit = await _unit(context, calendar)
    if unit is None:
        return _(NO_UNIT)
    open_now = open_deadlines(calendar, context.today)
    done = {
        d.period
        for d in open_now
        if unit.id in await submitted_unit_ids(context.session, d.period, [unit.id])
    }
    pending = [d for d in open_now if d.period not in done]
    if words:
        chosen = _named(open_now, " ".join(words))
        if chosen is None:
            if not pending:
                return _(NOTHING_DUE).format(unit=unit.name)
            raise InvalidInputError(UNKNOWN_PERIOD, codes=_codes(pending))
        if chosen.period in done:
            return _(ALREADY).format(report=report_name(chosen), unit=unit.name)
    elif not pending:
        return _(NOTHING_DUE).format(unit=unit.name)
    elif len(pending) > 1:
        return _(SEVERAL).format(unit=unit.name, count=len(pending), codes=_codes(pending))
    else:
        only = pending[0]
        figures = await unit_figures(context.session, unit)
        return _(CONFIRM).format(
            report=report_name(only),
            unit=unit.name,
            households=format_int(figures["tong_so_ho"]),
            poor=format_int(figures["ho_ngheo"]),
            near_poor=format_int(figures["ho_can_ngheo"]),
            code=EXAMPLE.format(period=only.period),
        )
    figures = await unit_figures(context.session, unit)
    actor = Actor(f"user:{context.access.user_id}", context.access.user_id)
    await submit_report(
        context.session, unit, chosen.period, context.access.user_id, figures, actor, context.now
    )
    reply = _(SUBMITTED).format(
        report=report_name(chosen),
        unit=unit.name,
        households=format_int(figures["tong_so_ho"]),
        poor=format_int(figures["ho_ngheo"]),
        near_poor=format_int(figures["ho_can_ngheo"]),
    )
    left = len(pending) - 1
    return f"{reply} {_(LEFT).format(count=left)}" if left else reply


REPORT_CODE = code_flow(
    name="report_code",
    title=__("Nộp báo cáo bằng mã BC"),
    keywords=("bc",),
    usage=USAGE,
    example=example,
    run=run,
    roles=REPORT_SUBMISSION.roles,
)
