"""Drafts saved by the previous version load with every value kept; unreadable ones are
dropped politely.

People keep a draft open for days (up to draft_ttl_days) across an upgrade. The drafts here
are the ones the previous version saved while its own test suite ran (tests/support/
old_drafts.py); the conversation tests also run with every draft saved under the old keys
(the "before" runs of the flow test modules). A draft that cannot be read is dropped with a
message asking to start again: never a crash at a step, never a guessed value.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import Application
from handlers.registry import FLOWS
from storage.schema import conversations
from tests.support.chat import ChatClient
from tests.support.old_drafts import ADDED_FIELDS, ADDED_STEPS, as_before, saved_before
from tests.support.people import Invite, MakeChat, person

RECORDS = saved_before()


def test_the_record_covers_every_step_of_every_flow() -> None:
    recorded = {(r["flow"], r["step"]) for r in RECORDS}
    steps = {(name, str(step)) for name, flow in FLOWS.items() for step in flow.steps}
    assert recorded == steps - ADDED_STEPS
    assert not recorded & ADDED_STEPS


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r['flow']}.{r['step']}")
def test_an_old_draft_loads_with_every_value_kept(record: dict[str, Any]) -> None:
    flow = FLOWS[record["flow"]]
    for name in (record["step"], *record["history"]):
        flow.step_named(name)
    draft = flow.draft.model_validate(record["data"])
    again = as_before(record["flow"], draft.model_dump(mode="json"))
    # Every key it had, with the same value; the others are answers not given yet.
    assert {key: again[key] for key in record["data"]} == record["data"]


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_each_field_is_saved_before_under_a_key_the_old_version_wrote(name: str) -> None:
    # So the "before" runs of the flow tests store exactly the old keys.
    old_keys = {key for r in RECORDS if r["flow"] == name for key in r["data"]}
    fields = FLOWS[name].draft.model_fields
    added = ADDED_FIELDS.get(name, set())
    assert set(as_before(name, dict.fromkeys(fields))) == old_keys | added
    assert not old_keys & added
    assert all(not fields[f].is_required() for f in added)  # old drafts load without them


def test_old_keys_are_read_under_their_new_names() -> None:
    review = FLOWS["review"].draft.model_validate(
        {"nid": 7, "skip": [3], "dup": 2, "cids": [4, 5], "ci": 1}
    )
    assert review.model_dump(exclude=ADDED_FIELDS["review"]) == {
        "nomination_id": 7,
        "skipped": [3],
        "duplicate_id": 2,
        "criterion_ids": [4, 5],
        "criterion_index": 1,
    }


async def _store(app: Application, client: ChatClient, **state: Any) -> None:
    identity = (await client.session()).identity_id
    async with app.db.write() as conn:
        await conn.execute(
            update(conversations).where(conversations.c.identity_id == identity).values(**state)
        )


async def _stored(app: Application, client: ChatClient) -> tuple[str | None, dict[str, Any]]:
    identity = (await client.session()).identity_id
    async with app.db.read() as conn:
        row = (
            await conn.execute(
                select(conversations.c.flow, conversations.c.data).where(
                    conversations.c.identity_id == identity
                )
            )
        ).one()
    return row.flow, row.data


@pytest.mark.parametrize(
    ("flow", "step", "data", "history"),
    [
        pytest.param("review", "card", {"nid": "mười hai"}, [], id="a value of the wrong type"),
        pytest.param("review", "card", {"nid": 1, "seen": [2]}, [], id="a key no version wrote"),
        pytest.param("review", "card", {}, [], id="a value it needs is missing"),
        pytest.param("review", "appeal", {"nid": 1}, [], id="a step that no longer exists"),
        pytest.param("review", "question", {"nid": 1}, ["appeal"], id="such a step to go back to"),
        pytest.param("survey", "q1", {}, [], id="a flow that no longer exists"),
    ],
)
async def test_an_unreadable_draft_is_dropped_politely(
    app: Application,
    chat: MakeChat,
    invite: Invite,
    flow: str,
    step: str,
    data: dict[str, Any],
    history: list[str],
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await _store(app, hoa, flow=flow, step=step, data=data, history=history, menu=None)
    await hoa.send("Nguyễn Văn An")
    await hoa.expect("không tiếp tục được", "mời bạn bắt đầu lại", "chưa hiểu ý bạn")
    assert await _stored(app, hoa) == (None, {})
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")


async def test_an_old_draft_continues_where_it_was(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    [saved] = [
        r
        for r in RECORDS
        if r["flow"] == "nominate" and r["step"] == "phone" and r["data"]["evidence"] == []
    ][:1]
    await _store(app, hoa, flow="nominate", step="phone", data=saved["data"], menu=None)
    await hoa.send("0912 345 678")
    await hoa.expect("công khai")
    await hoa.send("1")
    await hoa.expect("Xem lại", saved["data"]["name"], saved["data"]["place"], "0912 345 678")
    flow, data = await _stored(app, hoa)
    assert flow == "nominate"
    assert data["nominee_name"] == saved["data"]["name"]
    assert data["started_at"] == saved["data"]["started_at"]  # the reminder's dedupe key
