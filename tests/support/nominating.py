"""A member nominates on the web chat with a photo, typed answers only (privacy tests)."""

from __future__ import annotations

from tests.support.chat import ChatClient
from tests.support.media import jpeg

STORY = "Nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện."


async def nominate(
    member: ChatClient,
    nominee: str,
    *,
    year: str = "bo qua",
    phone: str = "bo qua",
    consent: str | None = "4",
    submit: bool = True,
) -> None:
    """/decu with one photo. `consent` None stops once the photo is in (a draft left open);
    else the consent's answer is typed, and with `submit` the nomination is sent."""
    await member.send("/decu")
    await member.expect("Bạn đề cử ai?")
    for answer, then in (
        ("1", "Họ và tên"),
        (nominee, "Năm sinh"),
        (year, "Nơi sinh sống"),
        ("Thôn 3, xã An Bình", "Lĩnh vực"),
        ("6", "thành tích"),
        (STORY, "minh chứng"),
    ):
        await member.send(answer)
        await member.expect(then)
    assert (await member.upload(jpeg())).status_code == 200
    await member.expect("Đã nhận 1/10 tệp")
    if consent is None:
        return
    await member.send("xong")
    await member.expect("Số điện thoại liên hệ")
    await member.send(phone)
    await member.expect("công khai")
    await member.send(consent)
    if submit:
        await member.expect("Xem lại")
        await member.send("gui")
        await member.expect("Mã đề cử")
