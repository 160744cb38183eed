"""Summaries for managers: ``/tomtat`` (the appendix figures of an area) and ``tiến độ`` (how
far this year's household review has come).

- ``/tomtat [unit]`` answers with the figures of Phụ lục 1 as a compact list (households, poor
  and near-poor households and their rates per child unit and the total), the indicators most
  poor households are deprived in (Phụ lục 2), a PNG chart of both, and the two appendices as
  xlsx files laid out like the official forms, each with a PDF in the official layout for
  channels that take no xlsx (Zalo). The text promises no file: the channel announces what it sends.
- ``tiến độ [unit]`` lists, per child unit, the households checked since the review period
  started (1 September, QĐ 24/2021/QĐ-TTg Art. 3) and their share of all households.

Both run for managers and administrators and only inside the units their grants cover
(:mod:`bot.flows.area_choice`). The year is the current one in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from functools import partial

from bot.flows.area_choice import MANAGING_ROLES, chosen_unit, start_in_area, unit_step
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Attachment, FileVersion, Outbound
from bot.flows.report_submission import late_report_lines
from bot.flows.review import MANAGER_WORDS, status_text
from bot.i18n import _, __
from exchange.exporting.pdf_document import official_pdf
from exchange.exporting.pdf_report import appendix_table
from exchange.exporting.report_chart import summary_chart
from exchange.exporting.xlsx_report import report_xlsx
from poverty.errors import NotFoundError
from poverty.formatting import format_date, format_decimal, format_int
from poverty.text import slug
from storage.progress import ProgressRow, review_progress
from storage.reports import Report, appendix_1, appendix_2
from storage.reports.appendix_1 import NEAR_POOR_KEY, NEAR_POOR_RATE_KEY
from storage.reviews import review_of, review_status
from storage.units import Unit

TOP_DEPRIVATIONS = 5

SUMMARY_TITLE = __("Tóm tắt năm {year} – {unit}")
STANDARD_LINE = __("Chuẩn nghèo: {standard}.")
POOR_LINE = __(
    "• {unit}: {households} hộ, {poor} hộ nghèo ({rate}%), {near_poor} hộ cận nghèo ({near_rate}%)"
)
TOTAL_LINE = __(
    "Cả địa bàn: {households} hộ, trong đó {minority} hộ DTTS; {poor} hộ nghèo ({rate}%), "
    "{near_poor} hộ cận nghèo ({near_rate}%)."
)
DEPRIVATIONS_TITLE = __("Hộ nghèo thiếu hụt nhiều nhất:")
DEPRIVATION_LINE = __("• {indicator}: {count} hộ")
NO_POOR = __("Không có hộ nghèo nào được ghi nhận.")
WARNINGS_LINE = __("Có {count} cảnh báo số liệu; xem trang “Cảnh báo” trong tệp Phụ lục 1.")
CHART_HINT = __("Các số liệu của biểu đồ đã có trong tin nhắn phía trên.")
EXPORT_HINT = __(
    "Quản trị viên có thể xuất tệp này bằng lệnh: "
    'giamngheo report {kind} --under "{unit}" --year {year} --format {format}'
)
CHART_CAPTION = __("Tỷ lệ hộ nghèo và thiếu hụt theo chỉ số – {unit}, năm {year}")
APPENDIX_1_CAPTION = __("Phụ lục 1 – {unit}, năm {year}")
APPENDIX_2_CAPTION = __("Phụ lục 2 – {unit}, năm {year}")

PROGRESS_TITLE = __("Tiến độ rà soát hộ – {unit}")
PROGRESS_SINCE = __("Số hộ đã được kiểm tra từ ngày {date} (đầu kỳ rà soát hằng năm):")
PROGRESS_LINE = __("• {unit}: {checked}/{households} hộ ({share}%)")
PROGRESS_TOTAL = __("Cả địa bàn: {checked}/{households} hộ ({share}%).")
PROGRESS_NONE = __("Địa bàn chưa có hộ nào.")


async def _summary_start(context: FlowContext) -> Answers:
    answers = await start_in_area(context)
    answers["nam"] = context.today.year
    return answers


def _summary_steps(answers: Answers) -> Sequence[Step]:
    return (unit_step(answers),)


def _rate(value: object) -> str:
    return format_decimal(float(Decimal(str(value))))


def summary_text(first: Report, second: Report) -> str:
    """The figures as short lines that read well on a phone."""
    lines = [
        _(SUMMARY_TITLE).format(year=first.year, unit=first.unit_label),
        _(STANDARD_LINE).format(standard=_(first.standard_name)),
    ]
    for row in first.rows:
        lines.append(
            _(POOR_LINE).format(
                unit=row.label(_),
                households=format_int(int(row["tong_so_ho"])),
                poor=format_int(int(row["ho_ngheo"])),
                rate=_rate(row["ty_le_ngheo"]),
                near_poor=format_int(int(row[NEAR_POOR_KEY])),
                near_rate=_rate(row[NEAR_POOR_RATE_KEY]),
            )
        )
    total = first.total
    lines.append(
        _(TOTAL_LINE).format(
            households=format_int(int(total["tong_so_ho"])),
            poor=format_int(int(total["ho_ngheo"])),
            rate=_rate(total["ty_le_ngheo"]),
            near_poor=format_int(int(total[NEAR_POOR_KEY])),
            near_rate=_rate(total[NEAR_POOR_RATE_KEY]),
            minority=format_int(int(total["ho_dtts"])),
        )
    )
    counts = sorted(
        ((int(second.total.values.get(e.code, 0)), e.name) for e in second.legend),
        key=lambda item: -item[0],
    )
    top = [(count, name) for count, name in counts if count > 0][:TOP_DEPRIVATIONS]
    if top:
        lines.append(_(DEPRIVATIONS_TITLE))
        lines += [
            _(DEPRIVATION_LINE).format(indicator=_(name), count=format_int(count))
            for count, name in top
        ]
    else:
        lines.append(_(NO_POOR))
    if first.warnings:
        lines.append(_(WARNINGS_LINE).format(count=format_int(len(first.warnings))))
    return "\n".join(lines)


def _file_name(kind: str, unit: Unit, year: int, extension: str) -> str:
    name = slug(unit.name).replace("_", "-") or str(unit.id)
    return f"{kind}-{name}-{year}.{extension}"


def _appendix(report: Report, unit: Unit, caption: str) -> Attachment:
    """The appendix as an xlsx workbook, and as a PDF in the official layout for the channels
    that take no xlsx (Zalo)."""
    table = appendix_table(report, _)
    pdf = FileVersion(
        _file_name(report.kind, unit, report.year, "pdf"), partial(official_pdf, table)
    )
    hint = _(EXPORT_HINT).format(
        kind=report.kind, unit=report.unit_label, year=report.year, format="pdf"
    )
    return Attachment(
        "document",
        _file_name(report.kind, unit, report.year, "xlsx"),
        report_xlsx(report, _),
        caption,
        alternatives=(pdf,),
        elsewhere=hint,
    )


async def _summary_finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    unit = await chosen_unit(context, answers)
    year = int(answers["nam"])
    first = await appendix_1(context.session, unit, year)
    second = await appendix_2(context.session, unit, year)
    label = {"unit": first.unit_label, "year": year}
    # Drawing the chart and the workbooks takes a second or more for a large commune: off the
    # event loop, so the worker keeps answering everyone else meanwhile.
    attachments = await asyncio.to_thread(_summary_files, first, second, unit, label)
    return [Outbound(summary_text(first, second), attachments=attachments)]


def _summary_files(
    first: Report, second: Report, unit: Unit, label: dict[str, object]
) -> tuple[Attachment, ...]:
    return (
        Attachment(
            "photo",
            _file_name("tom-tat", unit, first.year, "png"),
            summary_chart(first, second, _),
            _(CHART_CAPTION).format(**label),
            elsewhere=_(CHART_HINT),
        ),
        _appendix(first, unit, _(APPENDIX_1_CAPTION).format(**label)),
        _appendix(second, unit, _(APPENDIX_2_CAPTION).format(**label)),
    )


def _progress_line(row: ProgressRow) -> str:
    return _(PROGRESS_LINE).format(
        unit=_(row.name) if row.fixed else row.name,
        checked=format_int(row.checked),
        households=format_int(row.households),
        share=format_decimal(row.share),
    )


async def _progress_finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    unit = await chosen_unit(context, answers)
    progress = await review_progress(context.session, unit, context.today, context.tz)
    lines = [
        _(PROGRESS_TITLE).format(unit=unit.name),
        _(PROGRESS_SINCE).format(date=format_date(progress.since)),
    ]
    total = progress.total
    if total.households == 0:
        lines.append(_(PROGRESS_NONE))
        return [Outbound("\n".join(lines))]
    lines += [_progress_line(row) for row in progress.rows]
    lines.append(
        _(PROGRESS_TOTAL).format(
            checked=format_int(total.checked),
            households=format_int(total.households),
            share=format_decimal(total.share),
        )
    )
    lines += await late_report_lines(context)
    review = await _review_lines(context, unit)
    return [Outbound("\n".join([*lines, *review]))]


async def _review_lines(context: FlowContext, unit: Unit) -> list[str]:
    """The annual review of this year over the unit, when one was opened."""
    try:
        review = await review_of(context.session, unit, context.today.year)
    except NotFoundError:
        return []
    lines = ["", status_text(await review_status(context.session, review))]
    if review.state == "open":
        lines.append(_(MANAGER_WORDS))
    return lines


SUMMARY = Flow(
    name="summary",
    title=__("Tóm tắt địa bàn"),
    steps=_summary_steps,
    start=_summary_start,
    finish=_summary_finish,
    keywords=("/tomtat", "tom tat", "tomtat", "bao cao", "thong ke", "/thongke", "thongke"),
    roles=MANAGING_ROLES,
)

PROGRESS = Flow(
    name="progress",
    title=__("Tiến độ rà soát"),
    steps=_summary_steps,
    start=start_in_area,
    finish=_progress_finish,
    keywords=("tien do", "/tiendo", "tiendo"),
    roles=MANAGING_ROLES,
)
