"""By SMS too a request typed at a pick list is served at once, and the interrupted check is
offered again (the webhook, the engine and the fake gateway; SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.bot.sms.conftest import SmsLine

CADRE = "0912345678"


async def test_a_policy_name_at_a_pending_policy_list_is_served_by_sms(line: SmsLine) -> None:
    listed = await line.say(CADRE, "vay von")
    card = await line.say(CADRE, "hoc phi")

    assert listed[0].startswith("Co 4 chinh sach phu hop.")
    assert card[0].startswith("Mien, giam hoc phi")


async def test_a_policy_asked_during_a_check_by_sms_then_the_check_goes_on(line: SmsLine) -> None:
    for text in ("kiem tra", "TL00001"):
        await line.say(CADRE, text)
    [second] = await line.say(CADRE, "2tr")

    served = await line.say(CADRE, "bhyt")
    pages = [served[-1]]
    while pages[-1].endswith("(gui TIEP de xem tiep)") and len(pages) < 10:
        [page] = await line.say(CADRE, "tiep")
        pages.append(page)
    resumed = await line.say(CADRE, "1")

    assert served[0].startswith("Bao hiem y te (BHYT)")
    # The card comes page by page; the last page carries the resume question and its options.
    assert "Anh/chi dang lam do:" in pages[-1]
    assert pages[-1].endswith("1. Tiep tuc  2. Lam lai tu dau  3. Huy")
    assert resumed == [second]
