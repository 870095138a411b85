"""The first draft of a published story reads as Vietnamese prose, for each kind of nominee."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.officials.story import DRAFT_CHARS, first_story
from storage.rows import Nomination

WHEN = datetime(2026, 11, 25, tzinfo=UTC)


def nomination(kind: str, name: str, achievement: str, birth_year: int | None = None) -> Nomination:
    return Nomination(
        id=1,
        code="GS-2026-000001",
        reporter_id=1,
        unit_id=1,
        campaign_id=None,
        kind=kind,
        nominee_name=name,
        nominee_key=name.lower(),
        birth_year=birth_year,
        place="Thôn Đông, xã An Bình",
        field="good_deed",
        achievement=achievement,
        contact_phone=None,
        consent_public=True,
        status="approved",
        submitted_at=WHEN,
        updated_at=WHEN,
    )


@pytest.mark.parametrize(
    ("kind", "name", "year", "opening"),
    [
        (
            "individual",
            "Nguyễn Thị Tư",
            1958,
            "Nguyễn Thị Tư, sinh năm 1958, hiện sống và làm việc tại Thôn Đông, xã An Bình.",
        ),
        (
            "individual",
            "Nguyễn Thị Tư",
            None,
            "Nguyễn Thị Tư hiện sống và làm việc tại Thôn Đông, xã An Bình.",
        ),
        (
            "collective",
            "Hợp tác xã Bình Minh",
            None,
            "Hợp tác xã Bình Minh hoạt động tại Thôn Đông, xã An Bình.",
        ),
        (
            "household",
            "ông Lò Văn Sáu",
            None,
            "Gia đình ông Lò Văn Sáu sống tại Thôn Đông, xã An Bình.",
        ),
        ("household", "Hộ bà Tư", None, "Hộ bà Tư sống tại Thôn Đông, xã An Bình."),
    ],
)
def test_the_draft_opens_with_who_and_where_in_one_sentence(
    kind: str, name: str, year: int | None, opening: str
) -> None:
    story = first_story(nomination(kind, name, "bà Tư nấu cơm cho bệnh nhân nghèo", year))
    assert story == opening + "\n\nBà Tư nấu cơm cho bệnh nhân nghèo."
    assert not story.startswith("Ở ")


def test_a_long_achievement_is_cut_at_a_sentence_end() -> None:
    sentence = "Mỗi sáng bà nấu ba mươi suất cơm và mang đến bệnh viện huyện cho người nghèo. "
    story = first_story(nomination("individual", "Nguyễn Thị Tư", sentence * 20))
    told = story.split("\n\n", 1)[1]
    assert len(told) <= DRAFT_CHARS and told.endswith("người nghèo.")
