"""Criteria sets: CSV import, inheritance down the tree, listing, scoring on the card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import cli_ops
from bot.__main__ import main
from bot.app import Application
from storage.schema import criteria, scores
from tests.support.chat import ChatClient
from tests.support.review import Invite, nominate, person, person_id

HEADER = "unit_code,field,criterion,weight,max_score\n"
PROVINCE_SET = (
    HEADER + "T-DEMO,good_deed,Tính lan toả,2,10\n"
    "T-DEMO,good_deed,Minh chứng rõ ràng,1,5\n"
    "T-DEMO,labour,Năng suất,1,10\n"
)


def write(tmp_path: Path, text: str, name: str = "criteria.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_import_replaces_sets_and_keeps_scored_criteria(
    app: Application, tmp_path: Path
) -> None:
    result = await cli_ops.import_criteria(app.db, write(tmp_path, PROVINCE_SET))
    assert result == {"sets": 2, "criteria": 3}
    again = HEADER + "T-DEMO,good_deed,Tính lan toả,3,10\n"
    await cli_ops.import_criteria(app.db, write(tmp_path, again, "again.csv"))
    async with app.db.read() as conn:
        rows = (await conn.execute(select(criteria).order_by(criteria.c.id))).all()
    active = {(r.field, r.name): r.weight for r in rows if r.active}
    assert active == {("good_deed", "Tính lan toả"): 3.0, ("labour", "Năng suất"): 1.0}
    assert len(rows) == 3  # the dropped criterion stays, inactive


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("code,field\nX,y\n", "header must be"),
        (HEADER + "NOPE,good_deed,A,1,10\n", "no unit with code NOPE"),
        (HEADER + "T-DEMO,sports,A,1,10\n", "line 2: field must be one of"),
        (HEADER + "T-DEMO,good_deed,A,nhiều,10\n", "line 2: weight must be a number"),
        (HEADER + "T-DEMO,good_deed,A,1,0\n", "line 2: max_score must be above 0"),
        (HEADER + "T-DEMO,good_deed,,1,10\n", "line 2: unit_code and criterion are required"),
        (HEADER + "T-DEMO,good_deed,A,1\n", "line 2: expected 5 columns"),
        (HEADER + "T-DEMO,good_deed,A,1,10\nT-DEMO,good_deed,A,2,10\n", "line 3: criterion repe"),
        (HEADER, "no criteria"),
    ],
)
async def test_bad_csv_is_refused_with_a_clear_error(
    app: Application, tmp_path: Path, text: str, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        await cli_ops.import_criteria(app.db, write(tmp_path, text))
    async with app.db.read() as conn:
        assert (await conn.execute(select(criteria))).first() is None


def test_cli_prints_errors_and_counts(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["units", "import", str(cli_ops.DEMO_UNITS)]) == 0
    assert main(["criteria", "import", str(write(tmp_path, PROVINCE_SET))]) == 0
    assert "criteria: 3 criteria in 2 sets" in capsys.readouterr().out
    assert main(["criteria", "import", str(tmp_path / "missing.csv")]) == 2
    assert "error:" in capsys.readouterr().err


async def test_listing_shows_own_and_inherited_sets(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, tmp_path: Path
) -> None:
    own = HEADER + "X-AN-BINH,labour,Áp dụng kỹ thuật mới,1,5\n"
    await cli_ops.import_criteria(app.db, write(tmp_path, PROVINCE_SET))
    await cli_ops.import_criteria(app.db, write(tmp_path, own, "own.csv"))
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await lan.send("/tieuchi")
    await lan.expect(
        "Bộ tiêu chí áp dụng ở Xã An Bình",
        "▸ Lao động sản xuất\n",
        "Áp dụng kỹ thuật mới: tối đa 5 điểm, trọng số 1",
        "▸ Người tốt, việc tốt (theo bộ tiêu chí của Tỉnh Minh Hoạ)",
        "Tính lan toả: tối đa 10 điểm, trọng số 2",
        "Minh chứng rõ ràng: tối đa 5 điểm, trọng số 1",
    )
    member = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await member.send("/tieuchi")
    await member.expect("Bạn không có quyền")


async def test_scoring_on_the_card_with_weighted_total(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, tmp_path: Path
) -> None:
    await cli_ops.import_criteria(app.db, write(tmp_path, PROVINCE_SET))
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    minh = await person(chat, invite, "minh", "Phan Văn Minh", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send("/duyet")
    await lan.expect(code, "chưa chấm (2 tiêu chí)")
    await lan.press("Chấm điểm")
    await lan.expect(
        "Tiêu chí 1/2: Tính lan toả",
        "điểm tối đa 10, trọng số 2",
        "Gõ số điểm từ 0 đến 10 (ví dụ 8 hoặc 7,5)",
    )
    await lan.send("11")
    await lan.expect("Điểm cần là một số từ 0 đến 10 (ví dụ 8 hoặc 7,5)")
    await lan.send("mười")
    await lan.expect("Điểm cần là một số")
    await lan.send("8,5")
    # The examples fit the criterion: never "7" for a 5-point one.
    await lan.expect("Tiêu chí 2/2: Minh chứng rõ ràng", "từ 0 đến 5 (ví dụ 4 hoặc 3,5)")
    await lan.send("7")
    await lan.expect("Điểm cần là một số từ 0 đến 5 (ví dụ 4 hoặc 3,5)")
    await lan.send("4")
    # 2 × 8.5 + 1 × 4 = 21 of 2 × 10 + 1 × 5 = 25
    await lan.expect("Đã chấm xong", "Điểm theo tiêu chí: 21/25 (đã chấm 2/2 tiêu chí")
    await lan.press("Dừng duyệt")
    await lan.expect("Đã dừng")
    await minh.send("/duyet")
    await minh.expect("21/25")
    await minh.press("Chấm điểm")
    await minh.expect("Tiêu chí 1/2")
    await minh.send("6,5")
    await minh.expect("Tiêu chí 2/2")
    await minh.press("Xong, về thẻ đề cử")
    # Tính lan toả: mean of 8.5 and 6.5 = 7.5 -> 15; Minh chứng: 4 -> 19 of 25
    await minh.expect("19/25 (đã chấm 2/2")
    async with app.db.read() as conn:
        rows = (await conn.execute(select(scores))).all()
    assert sorted((r.reviewer_id, r.score) for r in rows) == sorted(
        [
            (await person_id(app, "lan"), 8.5),
            (await person_id(app, "lan"), 4.0),
            (await person_id(app, "minh"), 6.5),
        ]
    )


async def test_scoring_without_a_set_says_so(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send("/duyet")
    card = await lan.expect(code, "Điểm theo tiêu chí: chưa có bộ tiêu chí cho lĩnh vực này")
    assert "Chấm điểm" not in card[-1].labels  # nothing to score against: not offered


async def test_demo_criteria_import(app: Application) -> None:
    assert await cli_ops.import_criteria(app.db, cli_ops.DEMO_CRITERIA) == {
        "sets": 3,
        "criteria": 9,
    }
