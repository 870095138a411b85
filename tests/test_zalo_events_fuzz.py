"""Random Zalo events never make the Zalo adapters' readers raise (reliability.md G23).

The webhook paths themselves are driven over HTTP by the Zalo tests; here Hypothesis feeds
the functions that read an event (after the signature check) with Zalo-shaped events of
random content and with plain garbage: each must answer an Inbound or None, never raise.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels import zalo_bot_events, zalo_oa_events
from handlers.types import Inbound

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
QUICK = settings(max_examples=1000, deadline=None, database=None, derandomize=True)
QUICK = settings(QUICK, suppress_health_check=list(HealthCheck))

short = st.text(max_size=40)
ids = st.text(max_size=80) | st.integers(-(2**70), 2**70).map(str) | st.integers()
stamps = st.text(max_size=20) | st.integers(0, 10**17).map(str) | st.integers()
urls = st.builds(lambda s: f"https://cdn.zalo.example/{s}", short) | st.text(max_size=400)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short, inner, max_size=4),
    max_leaves=10,
)
oa_names = (
    st.sampled_from(
        [
            "user_send_text",
            "user_send_image",
            "user_send_file",
            "user_send_audio",
            "user_send_video",
            "user_send_location",
            "user_send_sticker",
            "user_send_link",
            "user_submit_info",
            "follow",
            "unfollow",
            "oa_send_text",
            "user_received_message",
        ]
    )
    | short
)
attachments = st.lists(
    st.fixed_dictionaries(
        {"type": short},
        optional={
            "payload": st.fixed_dictionaries(
                {},
                optional={
                    "url": urls,
                    "size": ids,
                    "name": short | st.integers(),
                    "coordinates": json_values
                    | st.fixed_dictionaries({"latitude": ids, "longitude": ids}),
                },
            )
            | json_values
        },
    ),
    max_size=3,
)
oa_events = st.fixed_dictionaries(
    {"event_name": oa_names, "timestamp": stamps},
    optional={
        "sender": st.fixed_dictionaries({"id": ids}) | json_values,
        "follower": st.fixed_dictionaries({"id": ids}) | json_values,
        "recipient": st.fixed_dictionaries({"id": ids}),
        "app_id": ids,
        "message": st.fixed_dictionaries(
            {"msg_id": ids},
            optional={"text": st.text(max_size=300) | json_values, "attachments": attachments},
        )
        | json_values,
        "info": st.dictionaries(short, ids, max_size=3) | json_values,
    },
)
bot_names = (
    st.sampled_from(
        [
            "message.text.received",
            "message.image.received",
            "message.voice.received",
            "message.sticker.received",
            "",
        ]
    )
    | short
)
bot_updates = st.fixed_dictionaries(
    {},
    optional={
        "event_name": bot_names | st.integers(),
        "message": st.fixed_dictionaries(
            {"message_id": ids, "chat": st.fixed_dictionaries({"id": ids}) | json_values},
            optional={
                "from": st.fixed_dictionaries(
                    {"id": ids},
                    optional={"display_name": short | st.integers(), "is_bot": json_values},
                )
                | json_values,
                "text": st.text(max_size=300) | json_values,
                "photo": urls,
                "url": urls,
                "voice_url": urls,
            },
        )
        | json_values,
    },
)


def is_answer(value: object) -> bool:
    return value is None or isinstance(value, Inbound)


@QUICK
@given(oa_events | json_values.filter(lambda v: isinstance(v, dict)))
def test_zalo_oa_events_are_read_or_refused(event: dict[str, Any]) -> None:
    body = json.dumps(event).encode()
    parsed = zalo_oa_events.parse_body(body)
    assert parsed is not None
    at = zalo_oa_events.event_time(parsed)
    assert at is None or isinstance(at, datetime)
    assert is_answer(zalo_oa_events.translate(parsed, NOW))


@QUICK
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_zalo_oa_bodies_of_any_bytes_are_read_or_refused(body: bytes) -> None:
    parsed = zalo_oa_events.parse_body(body)
    if parsed is not None:
        zalo_oa_events.event_time(parsed)
        assert is_answer(zalo_oa_events.translate(parsed, NOW))


@QUICK
@given(bot_updates | json_values)
def test_zalo_bot_updates_are_read_or_refused(result: Any) -> None:
    for update in zalo_bot_events.updates_in(result):
        assert is_answer(zalo_bot_events.translate(update, NOW))
