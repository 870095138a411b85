"""The authorisation matrix: role × action × where, generated from one table.

Every forbidden cell is tried twice: the way the chat offers (the command with the code) and
with forged button tokens for the action; neither may change anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import cli_ops
from bot.app import Application
from storage import reviews
from storage.schema import audit_log, commendations, merges, nominations, scores
from tests.support.chat import ChatClient
from tests.support.review import Invite, nominate, person, status_of

ROLES = ("none", "member", "reviewer", "official", "admin")
ACTIONS = ("open", "approve", "ask", "reject", "forward", "score", "merge", "commend")
# Where the nomination comes from, seen from an actor who holds their role in X-AN-BINH.
PLACES = {"own": "X-AN-BINH-HPN", "other": "P-HOA-LAC-HPN"}
REPORTERS = {"own": "hoa", "other": "lac"}
# The one table: who may do what, where. Anything not listed is forbidden.
ALLOWED = {
    (role, action, "own") for role in ("reviewer", "official", "admin") for action in ACTIONS
}
CELLS = [
    (role, action, place, (role, action, place) in ALLOWED)
    for role in ROLES
    for action in ACTIONS
    for place in PLACES
]
# The menu value a forged token would carry for each action.
TOKEN_VALUE = {
    "open": "next",
    "approve": "approve",
    "ask": "ask",
    "reject": "reject",
    "forward": "forward",
    "score": "score",
    "merge": "merge",
    "commend": "save",
}
DENIED = {
    "none": "Bạn chưa tham gia đơn vị nào",
    "member": "Bạn không có quyền dùng chức năng này",
    "reviewer": "không thuộc phạm vi bạn được duyệt",
    "official": "không thuộc phạm vi bạn được duyệt",
    "admin": "không thuộc phạm vi bạn được duyệt",
}
POLITE = ("Nút này đã cũ", "Lựa chọn này không có", "Xin chào!")


@dataclass(frozen=True)
class Snapshot:
    status: str
    statuses: tuple[str, ...]
    decisions: int
    scores: int
    commendations: int
    merges: int


async def snapshot(app: Application, code: str) -> Snapshot:
    async with app.db.read() as conn:

        async def count(table: object, *where: object) -> int:
            query = select(func.count()).select_from(table)  # type: ignore[arg-type]
            return int((await conn.execute(query.where(*where))).scalar_one())  # type: ignore[arg-type]

        statuses = tuple(
            r[0]
            for r in await conn.execute(select(nominations.c.status).order_by(nominations.c.id))
        )
        return Snapshot(
            status=await status_of(app, code),
            statuses=statuses,
            decisions=await count(audit_log, audit_log.c.action != "nomination.submitted"),
            scores=await count(scores),
            commendations=await count(commendations),
            merges=await count(merges),
        )


async def perform(actor: ChatClient, action: str, code: str, duplicate_of: str) -> None:
    """Do the action the way the chat offers it (only reached in allowed cells)."""
    if action == "commend":
        await actor.send(f"/khenthuong {code}")
        await actor.expect("Hình thức khen thưởng")
        await actor.press("Giấy khen")
        await actor.expect("Số quyết định")
        await actor.send("12/QĐ")
        await actor.expect("Ngày ký")
        await actor.send("20/11/2026")
        await actor.expect("Cơ quan ban hành")
        await actor.send("UBND xã")
        await actor.expect("Kiểm tra lại")
        await actor.press("Lưu")
        await actor.expect("Đã lưu khen thưởng")
        return
    await actor.send(f"/duyet {code}")
    await actor.expect(f"Đề cử {code}")
    steps: dict[str, list[tuple[str, str]]] = {
        "open": [("Dừng duyệt", "Đã dừng duyệt")],
        "approve": [("Duyệt", "Duyệt đề cử"), ("Xác nhận duyệt", "Đã duyệt đề cử")],
        "ask": [("Cần bổ sung", "bổ sung gì"), ("text:Xin thêm ảnh", "Đã gửi câu hỏi")],
        "reject": [
            ("Không duyệt", "Lý do"),
            ("Thiếu minh chứng", "lý do: Thiếu minh chứng?"),
            ("Xác nhận không duyệt", "Đã ghi không duyệt"),
        ],
        "forward": [
            ("Chuyển cấp trên", "Ý kiến"),
            ("Không có ý kiến thêm", "lên Tỉnh Minh Hoạ"),
            ("Xác nhận chuyển", "Đã chuyển"),
        ],
        "score": [("Chấm điểm", "Tiêu chí 1/1"), ("text:7", "Đã chấm xong")],
        "merge": [(f"Gộp vào {duplicate_of}", "Gộp đề cử"), ("Gộp", "Đã gộp")],
    }
    for label, reply in steps[action]:
        if label.startswith("text:"):
            await actor.send(label[5:])
        else:
            await actor.press(label)
        await actor.expect(reply)
    await actor.pop()


@pytest.mark.parametrize(("role", "action", "place", "allowed"), CELLS)
async def test_matrix(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    tmp_path: Path,
    role: str,
    action: str,
    place: str,
    allowed: bool,
) -> None:
    criteria_csv = tmp_path / "criteria.csv"
    criteria_csv.write_text(
        "unit_code,field,criterion,weight,max_score\nT-DEMO,good_deed,Lan toả,1,10\n",
        encoding="utf-8",
    )
    await cli_ops.import_criteria(app.db, criteria_csv)
    reporters = {
        "hoa": await person(chat, invite, "hoa", "Trần Thị Hoa", PLACES["own"], "member"),
        "lac": await person(chat, invite, "lac", "Vũ Văn Lạc", PLACES["other"], "member"),
    }
    # Someone reviews above the commune: forwarding from it has somewhere to go.
    await person(chat, invite, "tinh", "Hà Văn Tỉnh", "T-DEMO", "reviewer")
    if role == "none":
        actor = chat("actor")
    else:
        actor = await person(chat, invite, "actor", "Người Thử", "X-AN-BINH", role)
    reporter = REPORTERS[place]
    duplicate_of = await nominate(app, reporter, PLACES[place], "Nguyễn Thị Lan")
    code = await nominate(app, reporter, PLACES[place], "Nguyen Thi Lan")
    if action == "commend":
        async with app.db.write() as conn:
            target = await reviews.find_by_code(conn, code)
            assert target is not None
            await reviews.change_status(conn, target.id, ["submitted"], "approved", app.clock())
    before = await snapshot(app, code)

    if allowed:
        await perform(actor, action, code, duplicate_of)
        after = await snapshot(app, code)
        expected_status = {
            "open": before.status,
            "approve": "approved",
            "ask": "needs_info",
            "reject": "rejected",
            "forward": "forwarded",
            "score": before.status,
            "merge": "merged",
            "commend": "approved",
        }[action]
        assert after.status == expected_status
        changed = {
            "open": after == before,
            "score": after.scores == before.scores + 1,
            "commend": after.commendations == before.commendations + 1,
            "merge": after.merges == before.merges + 1,
        }.get(action, after.decisions == before.decisions + 1)
        assert changed
        for client in reporters.values():
            await client.pop()
        return

    command = f"/khenthuong {code}" if action == "commend" else f"/duyet {code}"
    await actor.send(command)
    await actor.expect(DENIED[role])
    for seq in range(0, 8):
        await actor.press_token(f"{seq}.{TOKEN_VALUE[action]}")
    for message in await actor.pop():
        assert any(p in message.text for p in POLITE), message.text
    assert await snapshot(app, code) == before
