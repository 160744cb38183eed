"""Reading and checking household files, before the database: encodings, headers, every check."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from exchange.importing import ImportFileError, Issue, read_households
from exchange.importing.tables import CP1258, UTF8, UTF8_BOM
from tests.fixtures.household_files import (
    HEADER,
    encode_cp1258,
    household,
    write_csv,
    write_xlsx,
)


def rendered(issue: Issue) -> str:
    detail = issue.message.format(**issue.params)
    return f"Dòng {issue.row}, cột {issue.column}: {detail}"


def errors_of(path: Path, year: int = 2025) -> list[str]:
    return [rendered(issue) for issue in read_households(path, default_year=year).errors]


def test_headers_with_tone_marks_spaces_and_capitals_are_accepted(tmp_path: Path) -> None:
    header = ["Mã hộ", "Chủ hộ", "Tỉnh", "Xã", "Thôn", "So nhan khau"]
    path = write_csv(tmp_path / "h.csv", [household("H1")], header=header)
    checked = read_households(path, default_year=2025)
    assert checked.errors == ()
    assert [n.code for n in checked.rows] == ["H1"]
    assert checked.rows[0].members == 4


def test_utf8_file_with_bom_is_read_and_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [household("H1")], encoding="utf-8-sig")
    checked = read_households(path, default_year=2025)
    assert checked.encoding == UTF8_BOM
    assert checked.rows[0].code == "H1"


def test_utf8_file_without_bom_is_read_and_reported(tmp_path: Path) -> None:
    checked = read_households(write_csv(tmp_path / "h.csv", [household("H1")]), default_year=2025)
    assert checked.encoding == UTF8
    assert checked.rows[0].head_name == "Nguyễn Văn An"


def test_windows_1258_file_is_decoded_to_composed_vietnamese(tmp_path: Path) -> None:
    name = "Trần Thị Bình"
    path = tmp_path / "h.csv"
    text = f"ma_ho,chu_ho,xa,tinh,so_nhan_khau\r\nH1,{name},Cam Tuyền,Quảng Trị,3\r\n"
    data = encode_cp1258(text)
    assert b"\xcc" in data  # a combining grave accent: the decoder must compose it
    path.write_bytes(data)
    checked = read_households(path, default_year=2025)
    assert checked.encoding == CP1258
    row = checked.rows[0]
    assert row.head_name == name
    assert row.commune == "Cam Tuyền"
    assert unicodedata.is_normalized("NFC", row.head_name)


def test_semicolon_delimited_file_is_read(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "h.csv",
        [household("H1", thu_nhap_binh_quan="1.200.000")],
        delimiter=";",
    )
    row = read_households(path, default_year=2025).rows[0]
    assert (row.code, row.income_per_person) == ("H1", 1_200_000)


def test_unknown_columns_are_warnings_not_errors(tmp_path: Path) -> None:
    rows = [household("H1", ghi_chu="x", thieu_bay_bay="1")]
    checked = read_households(write_csv(tmp_path / "h.csv", rows), default_year=2025)
    assert checked.errors == ()
    assert len(checked.rows) == 1
    assert [w.params for w in checked.warnings] == [
        {"header": "ghi_chu"},
        {"header": "thieu_bay_bay", "code": "bay_bay"},
    ]


def test_missing_required_column_stops_before_any_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [household("H1")], header=["ma_ho", "chu_ho", "xa"])
    with pytest.raises(ImportFileError) as caught:
        read_households(path, default_year=2025)
    assert caught.value.params == {"columns": "so_nhan_khau"}


def test_empty_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match="Tệp trống"):
        read_households(path, default_year=2025)


def test_header_only_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [], header=HEADER)
    with pytest.raises(ImportFileError, match="chỉ có dòng tiêu đề"):
        read_households(path, default_year=2025)


def test_blank_lines_are_skipped_but_row_numbers_match_the_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "ma_ho,chu_ho,xa,tinh,so_nhan_khau\nH1,An,Cam Tuyền,Quảng Trị,2\n,,,,\nH2,Bình,Cam Tuyền,"
        "Quảng Trị,abc\n",
        encoding="utf-8",
    )
    assert errors_of(path) == ["Dòng 4, cột so_nhan_khau: “abc” không phải là số."]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"so_nhan_khau": "abc"}, "Dòng 2, cột so_nhan_khau: “abc” không phải là số."),
        (
            {"so_nhan_khau": "51"},
            "Dòng 2, cột so_nhan_khau: 51 nằm ngoài khoảng cho phép, từ 1 đến 50.",
        ),
        ({"so_nhan_khau": ""}, "Dòng 2, cột so_nhan_khau: Chưa điền, đây là cột bắt buộc."),
        ({"chu_ho": ""}, "Dòng 2, cột chu_ho: Chưa điền, đây là cột bắt buộc."),
        ({"xa": ""}, "Dòng 2, cột xa: Chưa điền, đây là cột bắt buộc."),
        (
            {"khu_vuc": "miền núi"},
            "Dòng 2, cột khu_vuc: “miền núi” không hợp lệ; chỉ nhận: nong_thon, thanh_thi.",
        ),
        (
            {"dan_toc_thieu_so": "có lẽ"},
            "Dòng 2, cột dan_toc_thieu_so: “có lẽ” không hợp lệ; chỉ nhận: 1, 0, có, không, x.",
        ),
        (
            {"phan_loai": "giàu"},
            "Dòng 2, cột phan_loai: “giàu” không hợp lệ; chỉ nhận: "
            "can_ngheo, khong, ngheo, trung_binh.",
        ),
        (
            {"phan_loai": "trung_binh", "nhom": "BTXH"},
            "Dòng 2, cột nhom: Chỉ điền nhóm cho hộ nghèo hoặc cận nghèo.",
        ),
        (
            {"phan_loai": "ngheo", "nhom": "khác"},
            "Dòng 2, cột nhom: “khác” không hợp lệ; chỉ nhận: "
            "bao_tro_xa_hoi, chinh_sach_giam_ngheo.",
        ),
        ({"nam": "2015"}, "Dòng 2, cột nam: 2015 nằm ngoài khoảng cho phép, từ 2016 đến 2100."),
        ({"nam": "năm ngoái"}, "Dòng 2, cột nam: “năm ngoái” không phải là số."),
        ({"nam": "2099"}, "Dòng 2, cột nam: Chưa có chuẩn nghèo áp dụng cho năm 2099."),
        (
            {"thieu_bhyt": "2"},
            "Dòng 2, cột thieu_bhyt: “2” không hợp lệ; chỉ nhận: 1, 0, để trống.",
        ),
        (
            {"nguoi_do_dau_sdt": "12345"},
            "Dòng 2, cột nguoi_do_dau_sdt: “12345” không phải là số điện thoại Việt Nam hợp lệ.",
        ),
        ({"ma_ho": "H" * 41}, "Dòng 2, cột ma_ho: Dài quá 40 ký tự."),
        ({"chu_ho": "A" * 121}, "Dòng 2, cột chu_ho: Dài quá 120 ký tự."),
        ({"thon": "T" * 61}, "Dòng 2, cột thon: Dài quá 60 ký tự."),
        (
            {"chu_ho": "Nguyễn\x07An"},
            "Dòng 2, cột chu_ho: Có ký tự điều khiển không in được; hãy gõ lại ô này.",
        ),
    ],
)
def test_each_invalid_value_is_reported_with_row_and_column(
    tmp_path: Path, extra: dict[str, str], expected: str
) -> None:
    path = write_csv(tmp_path / "h.csv", [household("H1", **extra)])
    assert errors_of(path) == [expected]


def test_negative_or_unreadable_income_is_reported_with_the_parser_reason(tmp_path: Path) -> None:
    rows = [household("H1", thu_nhap_binh_quan="-5"), household("H2", thu_nhap_binh_quan="nhiều")]
    errors = errors_of(write_csv(tmp_path / "h.csv", rows))
    assert errors == [
        "Dòng 2, cột thu_nhap_binh_quan: Số tiền không được là số âm.",
        "Dòng 3, cột thu_nhap_binh_quan: Chưa đọc được số tiền. Xin nhập ví dụ: 1.500.000, "
        "1,5 triệu hoặc 800 nghìn.",
    ]


def test_no_standard_for_the_default_year_asks_for_the_nam_column(tmp_path: Path) -> None:
    errors = errors_of(write_csv(tmp_path / "h.csv", [household("H1")]), year=2099)
    assert errors == [
        "Dòng 2, cột nam: Chưa có chuẩn nghèo áp dụng cho năm 2099; hãy điền cột nam "
        "hoặc chọn --year khác."
    ]


def test_duplicate_code_names_both_rows(tmp_path: Path) -> None:
    rows = [household("H1"), household("H2"), household("H1", "Lê Văn Cường")]
    assert errors_of(write_csv(tmp_path / "h.csv", rows)) == [
        "Dòng 4, cột ma_ho: Mã hộ “H1” trùng với dòng 2."
    ]


def test_every_row_is_checked_and_all_mistakes_are_collected(tmp_path: Path) -> None:
    rows = [
        household("H1", so_nhan_khau="0", phan_loai="x"),
        household("H2"),
        household("H3", khu_vuc="biển"),
    ]
    checked = read_households(write_csv(tmp_path / "h.csv", rows), default_year=2025)
    assert [(e.row, e.column) for e in checked.errors] == [
        (2, "so_nhan_khau"),
        (2, "phan_loai"),
        (4, "khu_vuc"),
    ]
    assert checked.invalid_rows == 2
    assert [n.code for n in checked.rows] == ["H2"]


def test_accepted_spellings_are_read_as_the_canonical_values(tmp_path: Path) -> None:
    rows = [
        household(
            "H1",
            khu_vuc="Đô thị",
            dan_toc_thieu_so="có",
            phan_loai="Hộ nghèo",
            nhom="CSGN",
            nguoi_do_dau_sdt="0912 345 678",
            thieu_bhyt="1",
            thieu_viec_lam="0",
            thieu_nha_tieu="",
        ),
        household("H2", khu_vuc="nông thôn", phan_loai="Cận nghèo", nhom="btxh"),
        household("H3", khu_vuc="thanh_thi", phan_loai=""),
    ]
    checked = read_households(write_csv(tmp_path / "h.csv", rows), default_year=2025)
    first, second, third = checked.rows
    assert (first.area, first.ethnic_minority, first.status, first.poor_group) == (
        "thanh_thi",
        True,
        "ngheo",
        "chinh_sach_giam_ngheo",
    )
    assert first.mentor_phone == "+84912345678"
    assert dict(first.deprivations) == {"bhyt": True, "viec_lam": False, "nha_tieu": None}
    assert (second.area, second.status, second.poor_group) == (
        "nong_thon",
        "can_ngheo",
        "bao_tro_xa_hoi",
    )
    assert (third.status, third.year) == ("khong", None)


def test_emoji_in_names_are_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [household("H1", "Bà Tư 🌸👨‍👩‍👧")])
    assert read_households(path, default_year=2025).rows[0].head_name == "Bà Tư 🌸👨‍👩‍👧"


def test_xlsx_numbers_read_as_typed_text(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "h.xlsx",
        [
            ["Mã hộ", "Chủ hộ", "Xã", "Tỉnh", "Số nhân khẩu", "thu_nhap_binh_quan", "nam"],
            ["H1", "An", "Cam Tuyền", "Quảng Trị", 4.0, 1200000, 2024],
        ],
    )
    row = read_households(path, default_year=2025).rows[0]
    assert (row.members, row.income_per_person, row.year) == (4, 1_200_000, 2024)


def test_xlsx_formula_without_cached_value_is_an_error_for_that_cell(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "h.xlsx",
        [
            ["ma_ho", "chu_ho", "xa", "tinh", "so_nhan_khau"],
            ["H1", "An", "Cam Tuyền", "Quảng Trị", 3],
            ["H2", "Bình", "Cam Tuyền", "Quảng Trị", "=E2+1"],
        ],
    )
    assert load_workbook(path).active["E3"].value == "=E2+1"  # type: ignore[index]
    assert errors_of(path) == ["Dòng 3, cột so_nhan_khau: Ô chứa công thức, hãy dán giá trị."]


def test_unsupported_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.ods"
    path.write_bytes(b"x")
    with pytest.raises(ImportFileError, match=r"\.csv hoặc \.xlsx"):
        read_households(path, default_year=2025)
