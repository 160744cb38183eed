"""Hostile text for the engine: what people (and attackers) really type into a chat."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

from bot.flows.engine import MAX_MESSAGE_LENGTH

COMMANDS = (
    "/huy", "/HUY", "hủy", "Huy", "/quaylai", "quay lai", "QUAY LẠI", "/giup", "giúp", "?",
    "/start", "menu", "xin chào", "/kiemtra", "/tomtat", "/tomtat Hà Nội", "/baocaoviec",
    "/nopbaocao", "/chuanop", "/giaododau", "/dangky", "/dangky ABCDEFGHJK", "/cancel", "/back",
)  # fmt: skip
VIETNAMESE = (
    "có", "Có", "CO", "co", "c", "k", "ko", "không", "Khong", "KHÔNG", "kHôNg", "đúng", "sai",
    "nguyen van an", "NGUYỄN VĂN AN", "Nguyễn  Văn   An, thôn Tân Hòa", "tan hoa", "Thôn Tân Hòa",
    "ho ngheo", "hộ cận nghèo", "bảo hiểm y tế", "bao hiem y te", "cho hộ TL00001", "tự động",
    "tong", "TỔNG", "mới", "moi", "đã xong", "dang lam", "vướng", "Tân Lập", "Quảng Trị / Tân Lập",
    "Cam Tuyên", "Hà Nội", "dang ky", "báo cáo việc", "kiem tra TL00001", "TL00001", "tl00001",
)  # fmt: skip
NUMBERS = (
    "0", "-1", "1", "2", "3", "9", "10", "31", "99", "-0", "+1", "00001", "1.5", "1,5", "1e309",
    "NaN", "inf", "-inf", "99999999999999999999999999", "1.000.000.000.000", "1tr2", "1,2 triệu",
    "1200k", "-1200000", "0đ", "١٢٣", "１２", "½", "²", "0x1F", "1_000", "৩",
    "31/02/2026", "29/02/2027", "00/00/0000", "99/99/99", "0912345678", "+84912345678", "+1 555",
)  # fmt: skip
INJECTION = (
    "'; DROP TABLE households; --", "' OR '1'='1", '" OR ""="', "%", "_", "%_%", "\\", "\\'",
    "<b>đậm</b>", "<script>alert(1)</script>", "&amp;", "${jndi:ldap://x}", "{name}", "{0}",
    "{}", "%s%s%s", "%(name)s", "*bold* _it_ `code`", "[link](http://x)", "</code>", "NULL",
    "None", "undefined", "null\x00byte", "\x00", "../../etc/passwd", "TL00001' --",
)  # fmt: skip
MARKS = (
    "\u200f", "\u200e", "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad",
    "\u0301", "\u0323", "\x07", "\x1b[31m", "\r", "\r\n", "\t", "\u2028", "\u3000", "\u00a0",
)  # fmt: skip
EMOJI = ("😀", "👍🏽", "🇻🇳", "❤️", "👨‍👩‍👧", "🙏", "✅", "💯", "𝔸", "\U0010ffff")


def _decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text)


PIECES = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(VIETNAMESE),
    st.sampled_from(VIETNAMESE).map(_decomposed),
    st.sampled_from(VIETNAMESE).map(str.upper),
    st.sampled_from(NUMBERS),
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(INJECTION),
    st.sampled_from(MARKS),
    st.sampled_from(EMOJI),
    st.text(max_size=12),
    st.text(alphabet=" \t\n\u00a0", max_size=4),
)
HOSTILE_TEXT = st.one_of(
    PIECES,
    st.lists(PIECES, min_size=2, max_size=5).map("".join),
    st.lists(PIECES, min_size=2, max_size=4).map(" ".join),
    st.just(""),
    st.text(alphabet=" \t\n\r\u00a0\u3000\u200b", min_size=1, max_size=8),
    st.tuples(st.sampled_from(("x", "á", "😀", "1", "có ")), st.integers(1, 700)).map(
        lambda pair: pair[0] * pair[1]
    ),
    st.just("a" * MAX_MESSAGE_LENGTH),
    st.just("a" * (MAX_MESSAGE_LENGTH + 1)),
)
"""Empty, blank, long (around the limit), emoji, control characters and direction marks, NUL,
SQL- and HTML-looking text, Vietnamese with and without tone marks and in any case, commands
in the middle of a flow, numbers out of range and huge numbers, and mixtures of these."""

VIETNAMESE_LETTERS = frozenset(
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
)


def is_vietnamese(text: str) -> bool:
    """A reply written in Vietnamese: at least one letter only Vietnamese has."""
    return any(ch in VIETNAMESE_LETTERS for ch in unicodedata.normalize("NFC", text.lower()))
