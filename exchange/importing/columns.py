"""The columns of the household import format and how a file's headers map onto them.

Headers are matched by :func:`poverty.text.slug`, so ``Mã hộ``, ``ma_ho`` and ``MA HO`` name the
same column. One ``thieu_<code>`` column exists per indicator code of the bit registry (every
standard on file), so files from the 2016–2020 review import as well as current ones.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache

from openpyxl.utils import get_column_letter

from poverty.i18n import N_
from poverty.import_issues import ImportFileError, Issue
from poverty.standards import INDICATOR_BITS, all_standards
from poverty.text import slug

INDICATOR_PREFIX = "thieu_"

MISSING_COLUMNS = N_("Thiếu cột bắt buộc: {columns}. Hãy dùng tệp mẫu (giamngheo import template).")
DUPLICATE_COLUMN = N_("Cột {column} có hai lần (cột {first} và cột {second}).")
UNKNOWN_COLUMN = N_("Cột “{header}” không thuộc mẫu nhập nên được bỏ qua.")
UNKNOWN_INDICATOR = N_("Cột “{header}”: không có chỉ số “{code}”, cột này được bỏ qua.")
INDICATOR_HELP = N_("Thiếu hụt “{name}”: 1 = có thiếu hụt, 0 = không, để trống = chưa rõ.")


@dataclass(frozen=True)
class Column:
    """A column of the import format; ``help`` and ``example`` fill the template's guide."""

    name: str
    help: str
    required: bool = False
    example: str = ""
    help_params: Mapping[str, object] = field(default_factory=dict)


BASE_COLUMNS: tuple[Column, ...] = (
    Column("ma_ho", N_("Mã hộ, không trùng nhau, tối đa 40 ký tự."), True, "QT-CL-0001"),
    Column("chu_ho", N_("Họ tên chủ hộ."), True, "Nguyễn Văn An"),
    Column(
        "tinh",
        N_("Tỉnh/thành phố. Để trống được nếu tên xã chỉ có ở một tỉnh."),
        False,
        "Quảng Trị",
    ),
    Column(
        "huyen",
        N_(
            "Chỉ dùng cho tệp cũ, lập trước 01/07/2025 khi còn cấp huyện; "
            "với đơn vị hiện nay hãy để trống."
        ),
        False,
        "",
    ),
    Column("xa", N_("Xã, phường hoặc đặc khu (tệp cũ: cả thị trấn)."), True, "Xã Cam Lộ"),
    Column("thon", N_("Thôn/bản/tổ dân phố."), False, "Thôn 1"),
    Column("khu_vuc", N_("nong_thon (mặc định) hoặc thanh_thi."), False, "nong_thon"),
    Column("so_nhan_khau", N_("Số nhân khẩu, từ 1 đến 50."), True, "4"),
    Column(
        "dan_toc_thieu_so",
        N_("1 nếu là hộ dân tộc thiểu số, 0 hoặc để trống nếu không."),
        False,
        "0",
    ),
    Column(
        "phan_loai",
        N_("Kết quả xã công nhận: ngheo, can_ngheo, trung_binh hoặc khong (để trống = khong)."),
        False,
        "ngheo",
    ),
    Column(
        "nhom",
        N_(
            "Chỉ cho hộ nghèo, cận nghèo: bao_tro_xa_hoi (không có khả năng lao động)"
            " hoặc chinh_sach_giam_ngheo."
        ),
        False,
        "chinh_sach_giam_ngheo",
    ),
    Column("nam", N_("Năm rà soát (để trống = năm mặc định khi nhập)."), False, "2025"),
    Column(
        "thu_nhap_binh_quan",
        N_("Thu nhập bình quân người/tháng (đồng), ví dụ 1.200.000."),
        False,
        "1200000",
    ),
    Column("nguoi_do_dau_sdt", N_("Số điện thoại người đỡ đầu hộ."), False, "0912345678"),
)


@cache
def indicator_columns() -> tuple[Column, ...]:
    """One ``thieu_<code>`` column per indicator, in bit order, named after the newest standard."""
    names: dict[str, str] = {}
    for standard in all_standards():
        for indicator in standard.indicators:
            names[indicator.code] = indicator.name
    return tuple(
        Column(f"{INDICATOR_PREFIX}{code}", INDICATOR_HELP, help_params={"name": names[code]})
        for code in INDICATOR_BITS
    )


def all_columns() -> tuple[Column, ...]:
    """Every column of the import format, in template order."""
    return BASE_COLUMNS + indicator_columns()


@dataclass(frozen=True)
class Layout:
    """Where the known columns sit in one file: name → index, indicator code → index."""

    index: Mapping[str, int]
    indicators: Mapping[str, int]
    warnings: tuple[Issue, ...]

    def header_of(self, index: int) -> str:
        """The canonical column name at ``index`` (for an error message)."""
        for name, position in self.index.items():
            if position == index:
                return name
        for code, position in self.indicators.items():
            if position == index:
                return f"{INDICATOR_PREFIX}{code}"
        return get_column_letter(index + 1)


def layout(
    headers: tuple[str, ...], *, required: Collection[str], known: Collection[str]
) -> Layout:
    """Map ``headers`` onto the format. Unknown columns become warnings; a missing required
    column or a column given twice raises :class:`ImportFileError`."""
    index: dict[str, int] = {}
    indicators: dict[str, int] = {}
    warnings: list[Issue] = []
    for position, header in enumerate(headers):
        name = slug(header)
        if not name:
            continue
        seen = index.get(name)
        if seen is None and name.startswith(INDICATOR_PREFIX):
            seen = indicators.get(name.removeprefix(INDICATOR_PREFIX))
        if seen is not None:
            raise ImportFileError(
                DUPLICATE_COLUMN,
                column=name,
                first=get_column_letter(seen + 1),
                second=get_column_letter(position + 1),
            )
        if name in known:
            index[name] = position
        elif name.startswith(INDICATOR_PREFIX):
            code = name.removeprefix(INDICATOR_PREFIX)
            if code in INDICATOR_BITS:
                indicators[code] = position
            else:
                warnings.append(Issue(UNKNOWN_INDICATOR, {"header": header, "code": code}))
        else:
            warnings.append(Issue(UNKNOWN_COLUMN, {"header": header}))
    missing = [name for name in required if name not in index]
    if missing:
        raise ImportFileError(MISSING_COLUMNS, columns=", ".join(missing))
    return Layout(index, indicators, tuple(warnings))
