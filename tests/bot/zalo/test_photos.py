"""Photos from Zalo (``user_send_image``) during a household check are kept with that check:
the photo stays with Zalo, its address is recorded."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Assessment, CheckPhoto, Household
from tests.bot.zalo.conftest import CADRE, Harness, Sessions, image_event

PHOTO = b"\xff\xd8\xff\xe0" + b"nha-o-ho-TL00001" * 100
RECEIVED = (
    "Đã nhận ảnh cho hộ TL00001; ảnh sẽ được lưu cùng lần kiểm tra này. "
    "Xin trả lời tiếp câu hỏi ở trên."
)


async def send_photo(zalo: Harness, name: str) -> list[str]:
    before = len(zalo.fake.to(CADRE))
    url = zalo.fake.photo_url(name)
    assert await zalo.post(image_event(CADRE, url, zalo.clock.now)) == 200
    await zalo.settle()
    return [sent.text for sent in zalo.fake.to(CADRE)[before:]]


async def finish_check(zalo: Harness) -> str:
    """Answer every remaining question with the last button or ``1``, then save."""
    question = zalo.fake.to(CADRE)[-1]
    for _step in range(40):
        if question.text.endswith("Lưu kết quả kiểm tra này?"):
            break
        last = question.buttons[-2][2] if question.buttons else "1"  # the last is “Không rõ”
        await zalo.say(CADRE, last)
        question = zalo.fake.to(CADRE)[-1]
    [saved] = await zalo.say(CADRE, "co")
    return saved


async def photos(sessions: Sessions) -> list[CheckPhoto]:
    async with sessions() as session:
        return list((await session.scalars(select(CheckPhoto))).all())


async def test_a_photo_during_a_check_is_saved_with_that_check(
    zalo: Harness, sessions: Sessions
) -> None:
    zalo.fake.photos["nha.jpg"] = PHOTO
    await zalo.say(CADRE, "kiem tra")
    await zalo.say(CADRE, "TL00001")
    waiting = zalo.fake.to(CADRE)[-1].text

    assert await send_photo(zalo, "nha.jpg") == [RECEIVED]
    [pending] = await photos(sessions)
    assert pending.assessment_id is None
    [following] = await zalo.say(CADRE, "1tr2")
    assert following != waiting, "the income question, still waiting after the photo, is answered"
    assert await finish_check(zalo) == (
        "Đã lưu kết quả kiểm tra hộ TL00001 (chuẩn 2022–2025, áp dụng năm 2026). Cảm ơn anh/chị!"
    )

    [kept] = await photos(sessions)
    async with sessions() as session:
        latest = await session.scalar(
            select(Household.latest_assessment_id).where(Household.code == "TL00001")
        )
        channel = await session.scalar(select(Assessment.channel).where(Assessment.id == latest))
    assert (kept.assessment_id, kept.file_ref) == (latest, zalo.fake.photo_url("nha.jpg"))
    assert channel == "zalo"


async def test_a_photo_outside_a_check_is_not_kept_and_the_person_is_told_how(
    zalo: Harness, sessions: Sessions
) -> None:
    zalo.fake.photos["nha.jpg"] = PHOTO

    [note] = await send_photo(zalo, "nha.jpg")

    assert note == (
        "Ảnh chỉ được lưu kèm một lần kiểm tra hộ. Xin gõ “kiểm tra”, chọn hộ, rồi gửi ảnh."
    )
    assert await photos(sessions) == []
