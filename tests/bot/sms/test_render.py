"""SMS text: GSM-7 only, no tone marks, numbered options, within the part limits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.messages import Attachment, Option, Outbound
from bot.handlers.sms.gsm7 import is_gsm7, parts_needed, septets, split_parts, to_gsm7
from bot.handlers.sms.render import render_message, render_replies

YES_NO = (Option("co", "Có"), Option("khong", "Không"))
MORE = "(gửi TIEP để xem tiếp)"


def test_tone_marks_and_d_bar_are_removed() -> None:
    assert to_gsm7("Đường Hồ Chí Minh, ĐỒNG Ý, quả ổi") == "Duong Ho Chi Minh, DONG Y, qua oi"


def test_typographic_punctuation_becomes_ascii_and_emoji_are_dropped() -> None:
    text = to_gsm7("“Hộ nghèo” – ‘cận nghèo’ … • 3×2 😀👍 ✓")

    assert text == "\"Ho ngheo\" - 'can ngheo' ... - 3x2  v"
    assert is_gsm7(text)


def test_a_question_shows_its_options_as_one_numbered_line() -> None:
    [sms] = render_replies([Outbound("Hộ có nhà tiêu hợp vệ sinh?", YES_NO)])

    assert sms == "Ho co nha tieu hop ve sinh?\n1. Co  2. Khong"


def test_several_replies_become_one_compact_sms_without_blank_lines() -> None:
    replies = [Outbound("Đã lưu.\n\n  Cảm ơn!  "), Outbound("Hộ có nhà tiêu?", YES_NO)]

    assert render_replies(replies) == ["Da luu.\nCam on!\nHo co nha tieu?\n1. Co  2. Khong"]


def test_files_are_left_out() -> None:
    chart = Attachment("photo", "chart.png", b"png", "Biểu đồ")

    assert render_replies([Outbound("Tóm tắt", attachments=(chart,))]) == ["Tom tat"]


def test_one_part_holds_160_characters_and_two_parts_153_each() -> None:
    assert parts_needed("a" * 160) == 1
    assert parts_needed("a" * 161) == 2
    assert parts_needed("a" * 306) == 2
    assert parts_needed("a" * 307) == 3
    assert [len(p) for p in split_parts("a" * 307)] == [153, 153, 1]


def test_extended_characters_count_twice_and_never_straddle_two_parts() -> None:
    text = "a" * 152 + "[" + "b" * 10

    assert septets("[]€") == 6
    assert split_parts(text)[0] == "a" * 152
    assert parts_needed("{" * 80) == 1
    assert parts_needed("{" * 81) == 2


def test_a_long_reply_is_paged_whole_with_the_tiep_line_and_the_question_before_its_options() -> (
    None
):
    long_text = " ".join(["Hỗ trợ tiền điện cho hộ nghèo"] * 30) + " Hộ chọn gì?"

    pages = render_replies([Outbound(long_text, YES_NO)], more=MORE)

    assert len(pages) == 4
    assert all(parts_needed(page) <= 2 for page in pages)
    assert all(page.endswith("\n(gui TIEP de xem tiep)") for page in pages[:-1])
    assert pages[-1].endswith("Ho chon gi?\n1. Co  2. Khong")
    words = " ".join(page.removesuffix("\n(gui TIEP de xem tiep)") for page in pages).split()
    assert words == [*to_gsm7(long_text).split(), "1.", "Co", "2.", "Khong"], "nothing is cut"


def test_a_long_list_of_options_breaks_between_two_options() -> None:
    options = tuple(Option(str(n), f"Hộ TL{n:05d} – Nước sinh hoạt") for n in range(1, 94))

    pages = render_replies([Outbound("Anh/chị báo cáo việc nào?", options)], more=MORE)

    assert pages[0].startswith("Anh/chi bao cao viec nao?\n1. Ho TL00001 - Nuoc sinh hoat  2. ")
    shown = " ".join(pages)
    for n in range(1, 94):
        assert f"{n}. Ho TL{n:05d} - Nuoc sinh hoat" in shown
    for page in pages:
        body = page.removesuffix("\n(gui TIEP de xem tiep)")
        assert all(entry.split(". ", 1)[0].isdigit() for entry in body.splitlines()[-1].split("  "))


def test_the_part_limit_is_a_setting() -> None:
    long_text = "Thông báo " * 40

    one = render_message(long_text, max_parts=1, more=MORE)
    three = render_message(long_text, max_parts=3, more=MORE)

    assert all(len(page) <= 160 for page in one)
    assert len(one) == 3
    assert [parts_needed(page) for page in three] == [3]


def test_rendering_a_rendered_page_changes_nothing() -> None:
    pages = render_replies([Outbound("Chọn  nguồn nước " * 30, YES_NO)], more=MORE)

    assert len(pages) > 1
    for page in pages:
        assert render_message(page) == [page]


@settings(max_examples=300)
@given(st.text(max_size=600), st.lists(st.text(max_size=30), max_size=6))
def test_any_text_and_options_render_as_gsm7_pages_within_two_parts(
    text: str, labels: list[str]
) -> None:
    pages = render_replies(
        [Outbound(text, tuple(Option(str(i), label) for i, label in enumerate(labels)))],
        more=MORE,
    )

    for page in pages:
        assert is_gsm7(page)
        assert parts_needed(page) <= 2
        assert render_message(page) == [page]
