"""``nộp báo cáo`` (cadres) and ``ai chưa nộp`` (managers): periodic reports by chat.

A cadre's unit is the reporting unit (``unit_level`` of the calendar, communes by default) that
contains one of their grants. The reports offered are those open for submission (from the first
reminder, or the opening of the review window on 1/9) up to 90 days after the deadline, not
yet submitted by the unit. The bot
shows the unit's figures, asks for confirmation and records the submission with those figures
(:func:`storage.reporting.submit_report`). Managers see, per current report, the units of their
area that have not submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.flows.answers import Choice, YesNo
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.i18n import _, __
from poverty.calendar import Deadline, ReportCalendar, describe, load_calendar
from poverty.formatting import format_date, format_int
from storage.audit import Actor
from storage.reporting import (
    ReportingUnit,
    reporting_units,
    submit_report,
    submitted_unit_ids,
    unit_figures,
)

LATE_AFTER_DAYS = 90
"""A report may still be submitted this long after its deadline."""

TITLE = __("Nộp báo cáo định kỳ")
LATE_TITLE = __("Đơn vị chưa nộp báo cáo")
PICK = __("Đơn vị {unit} nộp báo cáo nào?")
CONFIRM = __("{report} – {unit} (hạn {due}):\n{figures}\nXác nhận nộp báo cáo với số liệu trên?")
FIGURES = __(
    "• Tổng số hộ: {tong_so_ho}\n• Hộ nghèo: {ho_ngheo}\n• Hộ cận nghèo: {ho_can_ngheo}\n"
    "• Việc đỡ đầu đang theo dõi: {viec_dang_theo_doi}\n• Việc đỡ đầu đã xong: {viec_da_xong}"
)
NO_UNIT = __("Anh/chị chưa được giao đơn vị nào phải nộp báo cáo.")
NOTHING_DUE = __("Đơn vị {unit} không có báo cáo nào đang chờ nộp.")
NOT_SENT = __("Chưa nộp. Khi sẵn sàng, gõ “nộp báo cáo”.")
SUBMITTED = __("Đã nhận {report} của {unit}. Cảm ơn anh/chị!")
ALREADY = __("{report} của {unit} đã được nộp trước đó.")
LATE_HEADER = __("{report} (hạn {due}): {late}/{total} đơn vị chưa nộp.")
LATE_LINE = __("• {unit}")
ALL_IN = __("{report} (hạn {due}): tất cả {total} đơn vị đã nộp.")
NO_REPORTS = __("Hiện không có báo cáo nào đang đến hạn.")

SUBMITTING_ROLES = frozenset({"cadre", "manager", "admin"})
MANAGING_ROLES = frozenset({"manager", "admin"})


def open_deadlines(calendar: ReportCalendar, today: date) -> list[Deadline]:
    """Deadlines open now, or passed less than :data:`LATE_AFTER_DAYS` ago."""
    return calendar.current(today, LATE_AFTER_DAYS)


def report_name(deadline: Deadline) -> str:
    msgid, params = describe(deadline)
    return _(msgid).format(**params)


async def _unit(context: FlowContext, calendar: ReportCalendar) -> ReportingUnit | None:
    units = await reporting_units(context.session, calendar.unit_level)
    paths = [g.unit_path for g in context.access.grants if g.role in SUBMITTING_ROLES]
    return next((u for u in units if any(p.startswith(u.path) for p in paths)), None)


async def _start(context: FlowContext) -> Answers:
    calendar = load_calendar(timezone=context.tz.key)
    unit = await _unit(context, calendar)
    if unit is None:
        return {"_unit": None, "_periods": []}
    periods = []
    for deadline in open_deadlines(calendar, context.today):
        done = await submitted_unit_ids(context.session, deadline.period, [unit.id])
        if unit.id not in done:
            periods.append([deadline.period, report_name(deadline), deadline.due.isoformat()])
    figures = await unit_figures(context.session, unit)
    answers: Answers = {
        "_unit": [unit.id, unit.name, unit.level, unit.path],
        "_periods": periods,
        "_figures": figures,
    }
    if len(periods) == 1:
        answers["ky"] = periods[0][0]
    return answers


def _period(answers: Answers) -> list[str]:
    return next((p for p in answers["_periods"] if p[0] == answers.get("ky")), ["", "", ""])


def _confirm_text(answers: Answers) -> str:
    _key, name, due = _period(answers)
    figures = {k: format_int(v) for k, v in answers["_figures"].items()}
    return _(CONFIRM).format(
        report=name,
        unit=answers["_unit"][1],
        due=format_date(date.fromisoformat(due)),
        figures=_(FIGURES).format(**figures),
    )


def _steps(answers: Answers) -> Sequence[Step]:
    if not answers.get("_periods"):
        return ()
    options = [Option(key, name) for key, name, _due in answers["_periods"]]
    return (
        Step("ky", lambda a: _(PICK).format(unit=a["_unit"][1]), Choice(options)),
        Step("xac_nhan", _confirm_text, YesNo()),
    )


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    if answers["_unit"] is None:
        return [Outbound(_(NO_UNIT))]
    unit = ReportingUnit(*answers["_unit"])
    if not answers["_periods"]:
        return [Outbound(_(NOTHING_DUE).format(unit=unit.name))]
    if not answers["xac_nhan"]:
        return [Outbound(_(NOT_SENT))]
    key, name, _due = _period(answers)
    figures = await unit_figures(context.session, unit)
    actor = Actor(f"user:{context.access.user_id}", context.access.user_id)
    saved = await submit_report(
        context.session, unit, key, context.access.user_id, figures, actor, context.now
    )
    text = SUBMITTED if saved else ALREADY
    return [Outbound(_(text).format(report=name, unit=unit.name))]


REPORT_SUBMISSION = Flow(
    name="report_submission",
    title=TITLE,
    steps=_steps,
    start=_start,
    finish=_finish,
    keywords=("nop bao cao", "/nopbaocao", "bao cao", "/baocao"),
    roles=SUBMITTING_ROLES,
)


async def late_report_lines(context: FlowContext) -> list[str]:
    """For each open report period, how many units of the manager's area submitted and which
    are late; empty when no report is open or the area has no reporting unit."""
    calendar = load_calendar(timezone=context.tz.key)
    scope = [g.unit_path for g in context.access.grants if g.role in MANAGING_ROLES]
    units = [
        u
        for u in await reporting_units(context.session, calendar.unit_level)
        if any(u.path.startswith(p) or p.startswith(u.path) for p in scope)
    ]
    deadlines = open_deadlines(calendar, context.today)
    if not deadlines or not units:
        return []
    lines: list[str] = []
    for deadline in deadlines:
        done = await submitted_unit_ids(context.session, deadline.period, [u.id for u in units])
        late = [u for u in units if u.id not in done]
        params = {
            "report": report_name(deadline),
            "due": format_date(deadline.due),
            "total": format_int(len(units)),
            "late": format_int(len(late)),
        }
        if not late:
            lines.append(_(ALL_IN).format(**params))
            continue
        lines.append(_(LATE_HEADER).format(**params))
        lines.extend(_(LATE_LINE).format(unit=u.name) for u in late)
    return lines


async def _late_finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    lines = await late_report_lines(context)
    return [Outbound("\n".join(lines) if lines else _(NO_REPORTS))]


LATE_REPORTS = Flow(
    name="late_reports",
    title=LATE_TITLE,
    steps=(),
    finish=_late_finish,
    keywords=("ai chua nop", "/chuanop"),
    roles=MANAGING_ROLES,
)
