"""A long digest: at most SHOWN lines shared between its groups, numbered across messages
that each fit a Zalo message, the rest counted, and how to see them all."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.app import Application
from handlers.digest import PART_CHARS, SHOWN, Digest
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.review import Invite, nominate, person

LINE = re.compile(r"^(\d+)\. (GS-\d{4}-\d{6}) · ", re.MULTILINE)
# Names as long as the nominate flow allows (120 characters): a line still stays one line.
LONG = "Hợp tác xã nông nghiệp dịch vụ tổng hợp thôn Đông, thôn Tây và thôn Nam"


async def test_long_digest_is_capped_split_between_groups_and_numbered_across(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    old = [
        await nominate(app, "hoa", "X-AN-BINH-HPN", f"{LONG} {n}", at=clock() - timedelta(days=9))
        for n in range(12)
    ]
    clock.advance(hours=20)
    new = [await nominate(app, "hoa", "X-AN-BINH-HPN", f"{LONG} mới {n}") for n in range(20)]
    clock.advance(hours=4)
    assert await app.scheduler.fire_daily("digest", nominal=clock()) is not None
    messages = await lan.expect(
        "32 đề cử đang chờ",
        "Mới từ lần tổng hợp trước (20):",
        "… và 12 đề cử khác",
        "Chờ quá 3 ngày (12):",
        "… và 5 đề cử khác",
        "Xem đủ 32 đề cử: gõ /duyet để duyệt lần lượt, hoặc /xuat",
    )
    assert len(messages) >= 2 and all(len(m.text) <= PART_CHARS for m in messages)
    # Cut between groups: the overdue group starts a message, no group is split.
    assert messages[1].text.startswith("⏰ Chờ quá 3 ngày (12):")
    listed = [(int(n), code) for m in messages for n, code in LINE.findall(m.text)]
    assert [n for n, _ in listed] == list(range(1, SHOWN + 1))
    assert [code for _, code in listed] == new[:8] + old[:7]
    # Each message carries the buttons of its own lines; a typed number opens any of them.
    assert [len(m.choices) for m in messages] == [8, 7]
    await lan.send("15")
    await lan.expect(f"Đề cử {old[6]}")


async def test_on_demand_digest_inside_a_flow_leaves_typed_numbers_to_the_flow(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn Cũ")
    await lan.send("/decu")
    await lan.expect("Bạn đề cử ai?")
    await lan.send("/tonghop")
    await lan.expect("Tổng hợp đề cử", f"1. {code} · Nguyễn Văn Cũ")
    await lan.send("1")  # the draft's question, not the digest's line
    await lan.expect("Họ và tên")
    await lan.press("Duyệt ngay 1 · Nguyễn Văn Cũ")  # the line's button still opens it
    await lan.expect(f"Đề cử {code}")


@given(sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3))
def test_lines_are_dealt_one_at_a_time_to_each_group_in_turn(sizes: list[int]) -> None:
    at = datetime(2026, 11, 25, tzinfo=UTC)
    new, oldest, answered = ([(at, n) for n in range(size)] for size in sizes)
    digest = Digest(person_id=1, oldest=oldest, new=new, answered=answered)
    dealt = [0, 0, 0]
    budget = SHOWN
    while budget and any(d < s for d, s in zip(dealt, sizes, strict=True)):
        for n in range(3):
            if budget and dealt[n] < sizes[n]:
                dealt[n] += 1
                budget -= 1
    shown = digest.shown
    assert [len(shown[g]) for g in ("new", "overdue", "answered")] == dealt
