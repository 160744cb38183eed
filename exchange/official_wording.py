"""The wording every official table shares, in the xlsx and the PDF alike: the national
heading, the issuing People's Committee, the serial column, the place and date line and the
signature blocks (the person who drew up the table, the head of the unit)."""

from __future__ import annotations

from poverty.i18n import N_

NATION = N_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
MOTTO = N_("Độc lập - Tự do - Hạnh phúc")
PEOPLES_COMMITTEE = N_("ỦY BAN NHÂN DÂN")
SERIAL = N_("STT")
PLACE_DATE = N_("……, ngày …… tháng …… năm {year}")
PREPARER = N_("NGƯỜI LẬP BIỂU")
PREPARER_HINT = N_("(Ký, ghi rõ họ tên)")
HEAD = N_("THỦ TRƯỞNG ĐƠN VỊ")
HEAD_HINT = N_("(Ký tên, đóng dấu)")
