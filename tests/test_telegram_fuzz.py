"""Random updates through the real webhook never break the bot (reliability.md G23).

Hypothesis builds Telegram-shaped updates with random content (commands, numbers, huge and
odd texts, forged buttons, every media kind, groups, wrong types, missing fields) and plain
garbage, and posts them to the bot's webhook over loopback while it runs. Every answer must
be 200 or a clean refusal, no handler may fail, nothing may be logged as an exception, and
the bot must still hold a normal conversation afterwards. FUZZ_EXAMPLES sets how many
(default 300; a longer run is a matter of patience).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from storage.schema import inbox
from tests.fakes.telegram_api import FakeTelegram
from tests.support.telegram import HEADER, SECRET, TelegramUser, join

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
MEMBER = 5001  # joined before the fuzzing: random input also reaches the member's flows

ints = st.integers(min_value=-(2**53), max_value=2**53)
short = st.text(max_size=40)
user_ids = st.sampled_from([MEMBER, MEMBER, MEMBER, 5002, 777]) | ints
typed = st.sampled_from(
    [
        "/decu",
        "/decu@guongsang_bot",
        "/huy",
        "/quaylai",
        "/cuatoi",
        "/trogiup",
        "/start",
        "/start abc",
        "/start@other_bot x",
        "/duyet",
        "/khonglenh",
        "1",
        "2",
        "6",
        "99",
        "1",
        "gui",
        "bo qua",
        "Xong",
        "xin chào",
        "Nguyễn Thị Lan",
        "1968",
    ]
)
huge = st.builds(lambda c, n: c * n, st.characters(), st.integers(1000, 6000))
texts = typed | st.text(max_size=300) | huge
tokens = st.builds(lambda a, b: f"{a}.{b}", ints, short) | st.text(max_size=100)

users = st.fixed_dictionaries(
    {"id": user_ids, "is_bot": st.sampled_from([False, False, True]), "first_name": short},
    optional={"username": short, "last_name": short, "language_code": st.just("vi")},
)
private = st.builds(lambda u: {"id": u, "type": "private", "first_name": "A"}, user_ids)
group = st.fixed_dictionaries(
    {
        "id": st.integers(-(10**13), -1),
        "type": st.sampled_from(["group", "supergroup", "channel"]),
        "title": short,
    }
)
chats = private | private | group
sizes = st.integers(min_value=0, max_value=2**31)


def files(**required: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A file object with the fields its kind requires (and random optional ones)."""
    return st.fixed_dictionaries(
        {"file_id": short, "file_unique_id": short, **required},
        optional={"file_size": ints, "mime_type": short, "file_name": short},
    )


photo_sizes = st.lists(
    st.fixed_dictionaries(
        {"file_id": short, "file_unique_id": short, "width": ints, "height": ints},
        optional={"file_size": ints},
    ),
    max_size=4,
)
entities = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["bot_command", "mention", "url", "bold"]),
            "offset": ints,
            "length": ints,
        }
    ),
    max_size=3,
)
coordinates = st.floats(allow_nan=False, allow_infinity=False)
# Mostly plausible dates; now and then one no datetime can hold.
dates = st.integers(min_value=0, max_value=2**31) | ints
messages = st.fixed_dictionaries(
    {"message_id": ints, "date": dates, "chat": chats},
    optional={
        "from": users,
        "text": texts,
        "entities": entities,
        "caption": texts,
        "photo": photo_sizes,
        "document": files(),
        "video": files(width=sizes, height=sizes, duration=sizes),
        "video_note": files(length=sizes, duration=sizes),
        "voice": files(duration=sizes),
        "audio": files(duration=sizes),
        "sticker": files(
            width=sizes,
            height=sizes,
            is_animated=st.booleans(),
            is_video=st.booleans(),
            type=st.sampled_from(["regular", "mask", "custom_emoji"]),
        ),
        "contact": st.fixed_dictionaries(
            {"phone_number": short | st.just("0912345678"), "first_name": short},
            optional={"user_id": user_ids},
        ),
        "location": st.fixed_dictionaries({"latitude": coordinates, "longitude": coordinates}),
        "media_group_id": short,
    },
)
callbacks = st.fixed_dictionaries(
    {"id": short, "from": users, "chat_instance": short},
    optional={"data": tokens, "message": messages},
)
updates = st.fixed_dictionaries(
    {"update_id": ints},
    optional={
        "message": messages,
        "edited_message": messages,
        "callback_query": callbacks,
        "channel_post": messages,
        "my_chat_member": st.dictionaries(short, short, max_size=3),
    },
)
json_values = st.recursive(
    st.none() | st.booleans() | ints | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short, inner, max_size=4),
    max_leaves=10,
)
bodies = updates | updates | updates | json_values


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The test clock stands still, so every message would fall in one minute.
    return settings.model_copy(update={"messages_per_minute": 0})


def post_random_updates(url: str, answers: list[int]) -> None:
    """Hypothesis, in a thread of its own while the bot runs on the test's event loop."""
    with httpx.Client(timeout=30) as client:

        @examples(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(bodies)
        def post(body: Any) -> None:
            answer = client.post(
                url,
                content=json.dumps(body).encode(),
                headers={HEADER: SECRET, "Content-Type": "application/json"},
            )
            answers.append(answer.status_code)
            assert answer.status_code in (200, 400, 413), answer.text

        post()


async def test_random_updates_never_break_the_bot(
    webhook_app: Application,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    member = TelegramUser(webhook_app, fake_telegram, MEMBER, "Hoa")
    await join(member, await invite(webhook_app))
    url = webhook_app.settings.telegram_webhook_url
    assert url is not None
    answers: list[int] = []
    with caplog.at_level(logging.WARNING):
        await asyncio.to_thread(post_random_updates, url, answers)
        await webhook_app.settle()
    assert len(answers) >= EXAMPLES
    assert answers.count(200) >= len(answers) // 3  # many were real updates, handled
    failures = [r for r in caplog.records if r.exc_info is not None]
    assert failures == [], [r.getMessage() for r in failures]
    async with webhook_app.db.read() as conn:
        failed = select(func.count()).select_from(inbox).where(inbox.c.status == "failed")
        assert (await conn.execute(failed)).scalar_one() == 0
    # And the member still gets answers.
    await member.pop()
    await member.send("/trogiup")
    await member.expect("Hướng dẫn")


async def invite(app: Application) -> str:
    created = await cli_ops.create_invite(
        app.db, app.settings, "X-AN-BINH-HPN", "member", 10, 7, app.clock()
    )
    return created.code
