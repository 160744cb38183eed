"""``giamngheo assess FILE``: classify every household of an import file, without the database.

A commune can check its draft list against the standard before approving it. The output has one
row per household: ``ma_ho, phan_loai_tinh_toan, so_chi_so_thieu_hut, ly_do``; a household whose
data are not enough for a result gets an empty class (``null`` in JSON) and a reason saying what
is missing. A file with invalid rows is refused: its mistakes go to standard error, exit code 1.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.commands.households import print_issues, render
from bot.i18n import _
from bot.settings import Settings
from exchange.importing import AssessmentInput, ImportFileError, read_assessment_inputs
from poverty.classification import Classification, classify
from poverty.errors import UnknownStandardError
from poverty.review import APPLIES, PROVISIONAL, period_label
from poverty.standards import Standard, load_standard, standard_for_year

OUTPUT_COLUMNS = ("ma_ho", "phan_loai_tinh_toan", "so_chi_so_thieu_hut", "ly_do")
REASON_SEPARATOR = "; "


class OutputFormat(StrEnum):
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("assess", help="Phân loại các hộ trong tệp theo chuẩn nghèo (không ghi dữ liệu).")(
        assess
    )


def assess(
    file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx theo mẫu nhập.")],
    standard: Annotated[
        str | None,
        typer.Option(
            "--standard", help="Chuẩn nghèo, ví dụ 2022-2025 (mặc định: chuẩn của năm áp dụng)."
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Năm áp dụng kết quả, ví dụ 2027 cho rà soát cuối năm 2026 (mặc định: năm nay).",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Định dạng kết quả: csv hoặc json.")
    ] = OutputFormat.csv,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Ghi kết quả vào tệp này thay vì in ra màn hình."),
    ] = None,
) -> None:
    applies = year if year is not None else datetime.now(ZoneInfo(Settings().timezone)).year
    try:
        chosen = load_standard(standard) if standard is not None else standard_for_year(applies)
        checked = read_assessment_inputs(file, chosen)
    except (UnknownStandardError, ImportFileError) as error:
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    print_issues(checked.warnings, color=typer.colors.YELLOW)
    if checked.errors:
        print_issues(checked.errors)
        typer.secho(
            _("Tệp có {count} dòng không hợp lệ nên chưa phân loại.").format(
                count=checked.invalid_rows
            ),
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(1)
    period = period_label(chosen.id)
    typer.echo(_(APPLIES).format(period=period, year=applies), err=True)
    if chosen.provisional:
        typer.secho(_(PROVISIONAL).format(period=period), err=True, fg=typer.colors.YELLOW)
    results = [(row, _classify(chosen, row)) for row in checked.rows]
    text = _json(results) if output_format is OutputFormat.json else _csv(results)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(
            _("Đã ghi kết quả {count} hộ vào {path}.").format(count=len(results), path=output),
            err=True,
        )


def _classify(standard: Standard, row: AssessmentInput) -> Classification:
    return classify(standard, row.area, row.income_per_person, row.deprivations)


def _reasons(result: Classification) -> str:
    """The rendered reasons joined with ``; `` (each without its closing full stop)."""
    return REASON_SEPARATOR.join(render(r.message, r.params).rstrip(".") for r in result.reasons)


def _csv(results: Sequence[tuple[AssessmentInput, Classification]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for row, result in results:
        writer.writerow([row.code, result.result or "", result.deprivation_count, _reasons(result)])
    return buffer.getvalue()


def _json(results: Sequence[tuple[AssessmentInput, Classification]]) -> str:
    rows = [
        dict(
            zip(
                OUTPUT_COLUMNS,
                (row.code, result.result, result.deprivation_count, _reasons(result)),
                strict=True,
            )
        )
        for row, result in results
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
