"""The policy catalogue as a spreadsheet: a province's own cards and local top-ups read from
``.xlsx`` (or ``.csv``) row by row, and the whole catalogue (national and local) written in
the same columns, so an exported file can be edited and imported back.

Every row is checked and every problem kept with its row and column, as for the household
import; nothing is read from or written to the database here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from exchange.importing import values
from exchange.importing.cells import ColumnChecker
from exchange.importing.columns import layout
from exchange.importing.tables import read_table
from poverty.i18n import N_
from poverty.import_issues import CellError, Issue, quoted
from poverty.policies import (
    POLICY_STATUSES,
    STATUS_LABELS,
    Entitlement,
    LoanTerms,
    Policy,
    PolicyStatus,
)
from poverty.standards import INDICATOR_BITS
from poverty.text import fold

Translate = Callable[[str], str]

COLUMNS: tuple[tuple[str, bool, str, int], ...] = (
    ("ma", True, N_("Mã chính sách: chữ thường không dấu, số và _, ví dụ ho_tro_tet"), 22),
    ("ten", True, N_("Tên chính sách"), 36),
    ("tom_tat", True, N_("Tóm tắt một, hai câu"), 50),
    ("doi_tuong", True, N_("Diện hộ: ngheo, can_ngheo, moi_thoat_ngheo, trung_binh"), 24),
    ("dieu_kien", True, N_("Điều kiện và mức hưởng, bằng lời"), 50),
    ("can_cu", True, N_("Văn bản căn cứ (nhiều văn bản cách nhau bằng dấu ;)"), 36),
    ("cach_lam", True, N_("Cần làm gì, ở đâu"), 50),
    ("ngay_kiem_tra", True, N_("Ngày kiểm tra lần cuối (dd/mm/yyyy)"), 16),
    ("bo_sung_cho", False, N_("Mã chính sách toàn quốc mà chính sách này bổ sung"), 22),
    ("muc_vay", False, N_("Mức vay (chính sách cho vay)"), 24),
    ("lai_suat", False, N_("Lãi suất (chính sách cho vay)"), 24),
    ("thoi_han", False, N_("Thời hạn vay (chính sách cho vay)"), 24),
    (
        "chi_so",
        False,
        N_("Mã chỉ số thiếu hụt chính sách giúp khắc phục, cách nhau bằng dấu ,"),
        24,
    ),
    ("tu_khoa", False, N_("Từ khóa tìm kiếm, cách nhau bằng dấu ,"), 30),
    ("ghi_chu", False, N_("Lưu ý"), 30),
    ("pham_vi", False, N_("Toàn quốc hoặc tên tỉnh (khi xuất)"), 18),
)
COLUMN_NAMES = tuple(name for name, _required, _help, _width in COLUMNS)
REQUIRED = tuple(name for name, required, _help, _width in COLUMNS if required)
SHEET_TITLE = N_("Chính sách")
NATIONAL = N_("Toàn quốc")
MAX_CODE = 40
MAX_NAME = 200
MAX_TEXT = 1000
MAX_LOAN = 300
MAX_KEYWORD = 60

BAD_CODE = N_("Mã “{value}” chỉ được có chữ thường không dấu, số và dấu _ (tối đa {max} ký tự).")
NATIONAL_CODE = N_(
    "Mã “{value}” là của một chính sách toàn quốc; hãy chọn mã khác và ghi “{value}” vào cột "
    "bo_sung_cho nếu đây là phần tỉnh hỗ trợ thêm."
)
DUPLICATE = N_("Mã “{value}” trùng với dòng {first}.")
UNKNOWN_STATUS = N_("“{value}” không phải diện hộ; chỉ nhận: {accepted}.")
UNKNOWN_NATIONAL = N_(
    "Không có chính sách toàn quốc mã “{value}”; xem cột ma trong tệp giamngheo policies export."
)
UNKNOWN_INDICATOR = N_("“{value}” không phải mã chỉ số thiếu hụt; ví dụ: bhyt, nha_tieu, viec_lam.")
BAD_DATE = N_("“{value}” không phải ngày; xin ghi theo dạng ngày/tháng/năm, ví dụ 07/12/2026.")
FUTURE_DATE = N_("Ngày kiểm tra {value} chưa tới; xin ghi ngày đã kiểm tra.")
OTHER_PROVINCE = N_("Dòng này thuộc “{value}”, không phải tỉnh đang nhập ({province}).")
NATIONAL_ROWS_SKIPPED = N_(
    "Bỏ qua {count} dòng chính sách toàn quốc (cột pham_vi); chỉ nhập chính sách của tỉnh."
)

_CODE = re.compile(r"^[a-z0-9_]+$")
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_STATUS_WORDS: dict[str, PolicyStatus] = {
    **{code: code for code in POLICY_STATUSES},
    **{fold(label).replace(" ", "_"): code for code, label in STATUS_LABELS.items()},
    **{
        fold(label).removeprefix("ho ").replace(" ", "_"): code
        for code, label in STATUS_LABELS.items()
    },
}


@dataclass(frozen=True)
class PolicyFile:
    """The valid rows as policies, the errors of the invalid ones, and warnings."""

    policies: tuple[Policy, ...]
    errors: tuple[Issue, ...]
    invalid_rows: int
    warnings: tuple[Issue, ...]


def _text(max_length: int, *, required: bool = False) -> Callable[[str], str | None]:
    return lambda raw: values.text(raw, max_length=max_length, required=required)


def _code(raw: str) -> str | None:
    if not raw:
        raise CellError(values.MISSING)
    if len(raw) > MAX_CODE or not _CODE.match(raw):
        raise CellError(BAD_CODE, {"value": quoted(raw), "max": MAX_CODE})
    return raw


def _items(raw: str) -> list[str]:
    return [item for item in _LIST_SPLIT.split(raw.strip()) if item]


def _statuses(raw: str) -> list[PolicyStatus] | None:
    if not raw:
        raise CellError(values.MISSING)
    found: list[PolicyStatus] = []
    for item in _items(raw):
        status = _STATUS_WORDS.get(fold(item).replace(" ", "_"))
        if status is None:
            accepted = ", ".join(POLICY_STATUSES)
            raise CellError(UNKNOWN_STATUS, {"value": quoted(item), "accepted": accepted})
        if status not in found:
            found.append(status)
    return found


def _day(today: date) -> Callable[[str], date | None]:
    def read(raw: str) -> date | None:
        if not raw:
            raise CellError(values.MISSING)
        match = _DAY.match(raw)
        iso = _ISO.match(raw)
        try:
            if match is not None:
                day = date(int(match[3]), int(match[2]), int(match[1]))
            elif iso is not None:
                day = date(int(iso[1]), int(iso[2]), int(iso[3]))
            else:
                raise ValueError(raw)
        except ValueError:
            raise CellError(BAD_DATE, {"value": quoted(raw)}) from None
        if day > today:
            raise CellError(FUTURE_DATE, {"value": day.strftime("%d/%m/%Y")})
        return day

    return read


def _indicators(raw: str) -> list[str] | None:
    codes = _items(raw)
    for code in codes:
        if code not in INDICATOR_BITS:
            raise CellError(UNKNOWN_INDICATOR, {"value": quoted(code)})
    return codes


def _keywords(raw: str) -> list[str] | None:
    return [values.text(item, max_length=MAX_KEYWORD) or item for item in _items(raw)]


def read_policy_file(
    path: Path, province: str, national: Sequence[Policy], today: date
) -> PolicyFile:
    """Read a province's policies from ``path`` (the columns of :data:`COLUMNS`).

    Rows whose ``pham_vi`` says they are national (an exported catalogue) are skipped with a
    warning. Raises :class:`~poverty.import_issues.ImportFileError` when the file cannot be
    read or a required column is missing.
    """
    table = read_table(path)
    check = ColumnChecker(table, layout(table.headers, required=REQUIRED, known=COLUMN_NAMES))
    warnings = list(check.layout.warnings)
    national_codes = {policy.code for policy in national}
    scopes = check.read("pham_vi", _text(MAX_NAME))
    skipped = set()
    for index, scope in enumerate(scopes):
        if scope is None or fold(scope) == fold(province):
            continue
        if fold(scope) in (fold(NATIONAL), "toan_quoc"):
            skipped.add(index)
        else:
            check.fail(index, "pham_vi", OTHER_PROVINCE, {"value": scope, "province": province})
    if skipped:
        warnings.append(Issue(NATIONAL_ROWS_SKIPPED, {"count": len(skipped)}))
    codes = check.read("ma", _code)
    first: dict[str, int] = {}
    for index, code in enumerate(codes):
        if code is None or index in skipped:
            continue
        if code in national_codes:
            check.fail(index, "ma", NATIONAL_CODE, {"value": code})
        elif code in first:
            check.fail(index, "ma", DUPLICATE, {"value": code, "first": first[code]})
        else:
            first[code] = table.numbers[index]
    names = check.read("ten", _text(MAX_NAME, required=True))
    summaries = check.read("tom_tat", _text(MAX_TEXT, required=True))
    statuses = check.read("doi_tuong", _statuses)
    conditions = check.read("dieu_kien", _text(MAX_TEXT, required=True))
    bases = check.read("can_cu", _text(MAX_TEXT, required=True))
    how_tos = check.read("cach_lam", _text(MAX_TEXT, required=True))
    days = check.read("ngay_kiem_tra", _day(today))
    top_ups = check.read("bo_sung_cho", _text(MAX_CODE))
    for index, top_up in enumerate(top_ups):
        if top_up is not None and top_up not in national_codes:
            check.fail(index, "bo_sung_cho", UNKNOWN_NATIONAL, {"value": quoted(top_up)})
    loans = [check.read(name, _text(MAX_LOAN)) for name in ("muc_vay", "lai_suat", "thoi_han")]
    indicators = check.read("chi_so", _indicators)
    keywords = check.read("tu_khoa", _keywords)
    notes = check.read("ghi_chu", _text(MAX_TEXT))
    for index in skipped:
        check.invalid.discard(index)
    errors = tuple(i for i in check.result() if i.row not in {table.numbers[s] for s in skipped})
    invalid = check.invalid - skipped
    policies = []
    for index in range(check.size):
        if index in invalid or index in skipped:
            continue
        name, condition = str(names[index]), str(conditions[index])
        ceiling, rate, term = (column[index] for column in loans)
        policies.append(
            Policy(
                code=str(codes[index]),
                name=name,
                summary=str(summaries[index]),
                eligible=tuple(Entitlement(s, condition) for s in statuses[index] or ()),
                legal_basis=tuple(b.strip() for b in str(bases[index]).split(";") if b.strip()),
                verified=True,
                note=notes[index],
                how_to=str(how_tos[index]),
                indicators=tuple(indicators[index] or ()),
                keywords=tuple(keywords[index] or ()) or (name,),
                checked_on=days[index],
                loan=LoanTerms(ceiling, rate, term) if (ceiling or rate or term) else None,
                province=province,
                top_up_of=top_ups[index],
            )
        )
    return PolicyFile(tuple(policies), errors, len(invalid), tuple(warnings))


def _row(policy: Policy, translate: Translate) -> list[Any]:
    statuses = list(dict.fromkeys(e.status for e in policy.eligible if e.status is not None))
    same = len({e.condition for e in policy.eligible}) == 1
    conditions = [
        translate(e.condition)
        if e.status is None or same
        else f"{translate(STATUS_LABELS[e.status])}: {translate(e.condition).rstrip('.')}"
        for e in policy.eligible
    ]
    loan = policy.loan or LoanTerms()
    return [
        policy.code,
        translate(policy.name),
        translate(policy.summary),
        ", ".join(statuses),
        "; ".join(dict.fromkeys(conditions)),
        "; ".join(policy.legal_basis),
        translate(policy.how_to),
        policy.checked_on.strftime("%d/%m/%Y") if policy.checked_on else None,
        policy.top_up_of,
        translate(loan.ceiling) if loan.ceiling else None,
        translate(loan.rate) if loan.rate else None,
        translate(loan.term) if loan.term else None,
        ", ".join(policy.indicators) or None,
        ", ".join(policy.keywords),
        translate(policy.note) if policy.note else None,
        policy.province or translate(NATIONAL),
    ]


def write_policy_file(path: Path, policies: Sequence[Policy], translate: Translate) -> None:
    """Write ``policies`` in the import columns, one row per policy, and a second sheet saying
    what each column holds."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = translate(SHEET_TITLE)
    sheet.append(list(COLUMN_NAMES))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for policy in policies:
        sheet.append(_row(policy, translate))
    wrap = Alignment(wrap_text=True, vertical="top")
    for position, (_name, _required, _help, width) in enumerate(COLUMNS, 1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = width
        for row in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            row[0].alignment = wrap
    sheet.freeze_panes = "B2"
    guide = book.create_sheet(translate(N_("Hướng dẫn")))
    guide.append([translate(N_("Cột")), translate(N_("Bắt buộc")), translate(N_("Nội dung"))])
    for name, required, help_text, _width in COLUMNS:
        guide.append([name, translate(N_("có")) if required else "", translate(help_text)])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["C"].width = 80
    book.save(path)
