"""``kế hoạch`` (``/kehoach``): the support-plan summary of a manager's area, as short lines and
an xlsx file (with a PDF in the official layout for the channels that take no xlsx).

``kế hoạch dân tộc Khmer`` or ``kế hoạch có công`` (``có công thuong_binh``) count only those
households. Poor and near-poor households by group and by cause, support delivered this year
by policy (households and amounts), mentored and unmentored households, this year's escape
targets and actual escapes, newly escaped households under watch (and at risk), re-poverty this
year. Only for managers and administrators, inside their units (:mod:`bot.flows.area_choice`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from bot.flows.area_choice import MANAGING_ROLES, chosen_unit, start_in_area, unit_step
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Attachment, FileVersion, Outbound
from bot.i18n import _, __
from exchange.exporting.pdf_document import OfficialTable, TableColumn, official_pdf
from exchange.exporting.sheets_xlsx import Sheet, sheets_xlsx
from exchange.official_wording import (
    HEAD,
    HEAD_HINT,
    MOTTO,
    NATION,
    PEOPLES_COMMITTEE,
    PLACE_DATE,
    PREPARER,
    PREPARER_HINT,
    SERIAL,
)
from poverty.formatting import format_int, format_money
from poverty.support_input import policy_name
from poverty.support_plans import load_support_lists
from poverty.text import fold, slug
from storage.support_summary import (
    ANY_MERIT,
    OTHER_PROGRAMME,
    Filters,
    SupportSummary,
    support_summary,
)
from storage.units import unit_label

TITLE = __("Kế hoạch hỗ trợ hộ nghèo năm {year} – {unit}")
HOUSEHOLDS = __("Hộ nghèo: {poor}; hộ cận nghèo: {near_poor}.")
BY_GROUP = __("Theo nhóm:")
GROUP_LINE = __("• {group}: {count} hộ")
NO_GROUP = __("Chưa phân nhóm")
BY_CAUSE = __("Theo nguyên nhân:")
CAUSE_LINE = __("• {cause}: {count} hộ")
SUPPORT_TITLE = __("Hỗ trợ đã ghi năm {year}: {households} hộ, {amount}.")
SUPPORT_LINE = __("• {policy}: {households} hộ, {amount}")
NO_SUPPORT = __("Chưa ghi khoản hỗ trợ nào trong năm.")
OTHER_LABEL = __("Chương trình khác")
MENTORS = __("Có người đỡ đầu: {mentored} hộ; chưa có: {unmentored} hộ.")
MENTOR_KIND_LINE = __("• {kind}: {count} hộ")
KIND_UNKNOWN = __("Chưa ghi loại người đỡ đầu")
HELPED = __("Được giúp đỡ thêm (hộ khá giả, đoàn thể): {helped} hộ, {helpers} người giúp.")
TARGETS = __("Chỉ tiêu thoát nghèo năm {year}: {targets} hộ; đã thoát: {met} hộ đạt chỉ tiêu.")
ESCAPED = __("Hộ thoát nghèo năm {year}: {count} hộ.")
WATCH = __("Hộ mới thoát nghèo đang theo dõi: {count} hộ, trong đó {risk} hộ có nguy cơ tái nghèo.")
REPOVERTY = __("Hộ tái nghèo năm {year}: {count} hộ.")
ETHNIC = __("Hộ nghèo, cận nghèo theo dân tộc: {groups}.")
MERIT = __("Hộ nghèo, cận nghèo có người có công: {count} hộ.")
ONLY_ETHNIC = __("Chỉ tính các hộ dân tộc {name}.")
ONLY_MERIT = __("Chỉ tính các hộ có người có công.")
EXPORT_HINT = __(
    "Quản trị viên có thể xuất tệp này bằng lệnh: "
    'giamngheo report ke-hoach --under "{unit}" --year {year} --format {format}'
)
CAPTION = __("Kế hoạch hỗ trợ – {unit}, năm {year}")

SHEET_SUMMARY = __("Tổng hợp")
SHEET_GROUPS = __("Theo nhóm")
SHEET_CAUSES = __("Theo nguyên nhân")
SHEET_SUPPORT = __("Hỗ trợ")
SHEET_UNMENTORED = __("Chưa có người đỡ đầu")
COL_ITEM = __("Nội dung")
COL_COUNT = __("Số hộ")
COL_POLICY = __("Chính sách, chương trình")
COL_RECORDS = __("Lượt hỗ trợ")
COL_AMOUNT = __("Số tiền (đồng)")
COL_CODE = __("Mã hộ")


def _group_label(code: str | None) -> str:
    group = load_support_lists().group(code) if code else None
    return f"{group.code}) {_(group.name)}" if group else _(NO_GROUP)


def _cause_label(code: str) -> str:
    cause = load_support_lists().cause(code)
    return _(cause.name) if cause else code


def _policy_label(key: str) -> str:
    return _(OTHER_LABEL) if key == OTHER_PROGRAMME else _(policy_name(key))


def _kind_label(key: str) -> str:
    """``doan_the:hoi_nong_dan`` → “Hội viên, đoàn viên của đoàn thể – Hội Nông dân”."""
    lists = load_support_lists()
    code, _sep, organisation = key.partition(":")
    kind = lists.mentor_kind(code) if code else None
    if kind is None:
        return _(KIND_UNKNOWN)
    found = next((o for o in lists.organisations if o.code == organisation), None)
    return f"{_(kind.name)} – {_(found.name)}" if found else _(kind.name)


def key_figures(s: SupportSummary) -> list[tuple[str, int]]:
    """The headline figures, labelled (the first sheet of the file)."""
    return [
        (_("Hộ nghèo"), s.poor),
        (_("Hộ cận nghèo"), s.near_poor),
        (_("Hộ có người đỡ đầu"), s.mentored),
        (_("Hộ chưa có người đỡ đầu"), s.unmentored),
        (_("Hộ được giúp đỡ thêm"), s.helped),
        (_("Hộ được hỗ trợ trong năm"), s.supported_households),
        (_("Tổng tiền hỗ trợ trong năm (đồng)"), s.support_amount),
        (_("Chỉ tiêu thoát nghèo trong năm (hộ)"), s.targets),
        (_("Hộ đạt chỉ tiêu thoát nghèo"), s.targets_met),
        (_("Hộ thoát nghèo trong năm"), s.escaped),
        (_("Hộ mới thoát nghèo đang theo dõi"), s.under_watch),
        (_("Hộ có nguy cơ tái nghèo"), s.at_risk),
        (_("Hộ tái nghèo trong năm"), s.repoverty),
        (_("Hộ nghèo, cận nghèo có người có công"), s.poor_with_merit),
    ]


def summary_text(s: SupportSummary, unit: str) -> str:
    lines = [_(TITLE).format(year=s.year, unit=unit)]
    if s.filters.ethnic_group is not None:
        lines.append(_(ONLY_ETHNIC).format(name=s.filters.ethnic_group))
    if s.filters.merit is not None:
        lines.append(_(ONLY_MERIT))
    lines += [
        _(HOUSEHOLDS).format(poor=format_int(s.poor), near_poor=format_int(s.near_poor)),
    ]
    if s.by_group:
        lines.append(_(BY_GROUP))
        lines += [
            _(GROUP_LINE).format(group=_group_label(g), count=format_int(n))
            for g, n in s.by_group.items()
        ]
    if s.by_cause:
        lines.append(_(BY_CAUSE))
        lines += [
            _(CAUSE_LINE).format(cause=_cause_label(c), count=format_int(n))
            for c, n in s.by_cause.items()
        ]
    if s.support:
        lines.append(
            _(SUPPORT_TITLE).format(
                year=s.year,
                households=format_int(s.supported_households),
                amount=format_money(s.support_amount),
            )
        )
        lines += [
            _(SUPPORT_LINE).format(
                policy=_policy_label(line.key),
                households=format_int(line.households),
                amount=format_money(line.amount),
            )
            for line in s.support
        ]
    else:
        lines.append(_(NO_SUPPORT))
    lines.append(
        _(MENTORS).format(mentored=format_int(s.mentored), unmentored=format_int(s.unmentored))
    )
    lines += [
        _(MENTOR_KIND_LINE).format(kind=_kind_label(k), count=format_int(n))
        for k, n in s.by_mentor_kind.items()
    ]
    if s.helped:
        lines.append(_(HELPED).format(helped=format_int(s.helped), helpers=format_int(s.helpers)))
    lines.append(
        _(TARGETS).format(year=s.year, targets=format_int(s.targets), met=format_int(s.targets_met))
    )
    lines.append(_(ESCAPED).format(year=s.year, count=format_int(s.escaped)))
    lines.append(_(WATCH).format(count=format_int(s.under_watch), risk=format_int(s.at_risk)))
    lines.append(_(REPOVERTY).format(year=s.year, count=format_int(s.repoverty)))
    if s.poor_ethnic:
        groups = ", ".join(f"{name} {format_int(n)}" for name, n in s.poor_ethnic.items())
        lines.append(_(ETHNIC).format(groups=groups))
    if s.poor_with_merit:
        lines.append(_(MERIT).format(count=format_int(s.poor_with_merit)))
    return "\n".join(lines)


def summary_xlsx(s: SupportSummary, unit: str) -> bytes:
    title = _(TITLE).format(year=s.year, unit=unit)
    return sheets_xlsx(
        [
            Sheet(_(SHEET_SUMMARY), title, (_(COL_ITEM), _(COL_COUNT)), key_figures(s)),
            Sheet(
                _(SHEET_GROUPS),
                title,
                (_(COL_ITEM), _(COL_COUNT)),
                [(_group_label(g), n) for g, n in s.by_group.items()],
            ),
            Sheet(
                _(SHEET_CAUSES),
                title,
                (_(COL_ITEM), _(COL_COUNT)),
                [(_cause_label(c), n) for c, n in s.by_cause.items()],
            ),
            Sheet(
                _(SHEET_SUPPORT),
                title,
                (_(COL_POLICY), _(COL_COUNT), _(COL_RECORDS), _(COL_AMOUNT)),
                [
                    (_policy_label(line.key), line.households, line.records, line.amount)
                    for line in s.support
                ],
            ),
            Sheet(
                _(SHEET_UNMENTORED),
                title,
                (_(COL_CODE),),
                [(code,) for code in s.unmentored_codes],
            ),
        ]
    )


ROMAN = ("I", "II", "III", "IV", "V")


def summary_pdf(s: SupportSummary, unit: str, issuer: str) -> bytes:
    """The same figures as :func:`summary_xlsx` in one table in the official layout (PDF, for
    the channels that take no xlsx, and ``report ke-hoach --format pdf``)."""
    return official_pdf(summary_table(s, unit, issuer))


def summary_table(s: SupportSummary, unit: str, issuer: str) -> OfficialTable:
    """The figures as an official table, translated; each sheet of the workbook is a numbered
    section. ``issuer`` is the unit's own name, for the heading."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = [
        (_(SHEET_SUMMARY), [(label, format_int(value), "", "") for label, value in key_figures(s)]),
        (
            _(SHEET_GROUPS),
            [(_group_label(g), format_int(n), "", "") for g, n in s.by_group.items()],
        ),
        (
            _(SHEET_CAUSES),
            [(_cause_label(c), format_int(n), "", "") for c, n in s.by_cause.items()],
        ),
        (
            _(SHEET_SUPPORT),
            [
                (
                    _policy_label(line.key),
                    format_int(line.households),
                    format_int(line.records),
                    format_int(line.amount),
                )
                for line in s.support
            ],
        ),
        (_(SHEET_UNMENTORED), [(code, "", "", "") for code in s.unmentored_codes]),
    ]
    rows: list[tuple[str, ...]] = []
    bold: set[int] = set()
    for number, (title, lines) in enumerate(sections):
        bold.add(len(rows))
        rows.append((ROMAN[number], title, "", "", ""))
        rows += [(str(n), *line) for n, line in enumerate(lines, start=1)]
    return OfficialTable(
        issuer=(_(PEOPLES_COMMITTEE), issuer.upper()),
        national=(_(NATION), _(MOTTO)),
        title=(_(TITLE).format(year=s.year, unit=unit).upper(),),
        columns=(
            TableColumn(_(SERIAL), 4, align="center"),
            TableColumn(_(COL_ITEM), 30, align="left"),
            TableColumn(_(COL_COUNT), 7),
            TableColumn(_(COL_RECORDS), 7),
            TableColumn(_(COL_AMOUNT), 10),
        ),
        rows=tuple(rows),
        bold_rows=frozenset(bold),
        place_date=_(PLACE_DATE).format(year=s.year),
        signers=((_(PREPARER), _(PREPARER_HINT)), (_(HEAD), _(HEAD_HINT))),
    )


def split_filters(text: str) -> tuple[str, str | None, str | None]:
    """``(the rest, ethnic group, merit)`` from what followed the keyword: ``dân tộc Khmer``
    and ``có công`` (any category) or ``có công thuong_binh`` may end it."""
    words = text.split()
    folded = [fold(word) for word in words]
    ethnic: str | None = None
    merit: str | None = None
    for index in range(len(words) - 1):
        pair = folded[index : index + 2]
        if pair == ["dan", "toc"] and index + 2 < len(words) and ethnic is None:
            ethnic = " ".join(words[index + 2 :])
            words, folded = words[:index], folded[:index]
            break
    for index in range(len(words) - 1):
        if folded[index : index + 2] == ["co", "cong"]:
            tail = folded[index + 2 :]
            merit = tail[0] if tail and load_support_lists().merit(tail[0]) else ANY_MERIT
            words = words[:index]
            break
    return " ".join(words), ethnic, merit


async def _start(context: FlowContext) -> Answers:
    rest, ethnic, merit = split_filters(context.text)
    answers = await start_in_area(replace(context, text=rest))
    answers["nam"] = context.today.year
    if ethnic is not None:
        answers["dan_toc"] = ethnic
    if merit is not None:
        answers["co_cong"] = merit
    return answers


def _steps(answers: Answers) -> Sequence[Step]:
    return (unit_step(answers),)


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    unit = await chosen_unit(context, answers)
    year = int(answers["nam"])
    filters = Filters(answers.get("dan_toc"), answers.get("co_cong"))
    summary = await support_summary(context.session, unit, year, context.today, filters)
    label = await unit_label(context.session, unit)
    name = slug(unit.name).replace("_", "-") or str(unit.id)
    attachment = Attachment(
        "document",
        f"ke-hoach-{name}-{year}.xlsx",
        summary_xlsx(summary, label),
        _(CAPTION).format(unit=label, year=year),
        alternatives=(
            FileVersion(
                f"ke-hoach-{name}-{year}.pdf",
                partial(official_pdf, summary_table(summary, label, unit.name)),
            ),
        ),
        elsewhere=_(EXPORT_HINT).format(unit=label, year=year, format="pdf"),
    )
    return [Outbound(summary_text(summary, label), attachments=(attachment,))]


SUPPORT_SUMMARY = Flow(
    name="support_summary",
    title=__("Kế hoạch hỗ trợ (tóm tắt)"),
    steps=_steps,
    start=_start,
    finish=_finish,
    keywords=("ke hoach", "/kehoach", "kehoach"),
    roles=MANAGING_ROLES,
)
