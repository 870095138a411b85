"""The Zalo OA run of the broadcast bench (python -m bench.broadcast --part zalo).

N members on Zalo OA receive a call for nominations through the real adapter and lane,
against the fake Zalo OA over HTTP on 127.0.0.1, in two set-ups run side by side:

- baseline: everyone wrote within 7 days (today's consultation messages only);
- mixed: a quarter each inside the window (consultation message), outside it reachable by
  template by user id, outside it reachable only by a consented phone (the user-id template
  is refused), and outside it with no way at all (counted unreachable).

Printed per run: rows settled per second as a share of the configured ZALO_OA_RATE_PER_SECOND,
HTTP calls per second, the split, and the paid templates per member (must never exceed 1);
then medians over the repeats and the mixed/baseline ratio.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

from bench.seed import seed_members
from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from handlers import templates
from handlers.officials.fanout import fan_out
from storage import outbox
from storage.migrate import upgrade
from storage.schema import identities, zalo_template_phones
from storage.units import get_unit_by_code
from storage.zalo_templates import batch_split
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.zalo import with_zalo

DAY = 24 * 3600
PARAMS = ["title", "unit", "deadline", "hint", "link"]


async def _seed(app: Application, fake: FakeZaloOA, recipients: int, mixed: bool) -> str:
    """Members split into the four groups; the call queued. Its batch."""
    now = datetime.now(UTC)
    chats = await seed_members(app.db, "X-AN-BINH-HPN", recipients, now, channel="zalo_oa")
    quarter = recipients // 4
    groups = {
        "window": chats[:quarter] if mixed else chats,
        "uid": chats[quarter : 2 * quarter] if mixed else [],
        "phone": chats[2 * quarter : 3 * quarter] if mixed else [],
        "none": chats[3 * quarter :] if mixed else [],
    }
    old = now - timedelta(days=8)
    async with app.db.write() as conn:
        outside = groups["uid"] + groups["phone"] + groups["none"]
        if outside:
            await conn.execute(
                update(identities)
                .where(identities.c.external_id.in_(outside))
                .values(last_inbound_at=old)
            )
        for n, chat in enumerate(groups["phone"]):
            phone = f"849{n:08d}"
            fake.set_phone(phone, chat)
            await conn.execute(
                insert(zalo_template_phones).values(
                    identity_id=int(chat.split("-")[1]),  # seed: identity id = person id
                    phone=phone,
                    source="submit_info",
                    consent_version="bench",
                    consented_at=now,
                )
            )
        unit = await get_unit_by_code(conn, "X-AN-BINH-HPN")
        assert unit is not None
        sent = await fan_out(
            conn,
            app.config,
            now,
            kind="call",
            batch="call:bench",
            created_by=None,
            unit=unit,
            text="📣 Đề cử người tốt năm 2026",
            label="bench",
            template=templates.fill(
                "call_opened", unit.id, title="Đề cử", unit=unit.name, deadline="31/12"
            ),
        )
    for chat in groups["window"]:
        fake.user_interacted(chat)
    for chat in groups["uid"] + groups["phone"] + groups["none"]:
        fake.user_interacted(chat, seconds_ago=8 * DAY)
    for chat in groups["phone"] + groups["none"]:
        fake.refuse_uid(chat)
    return sent.batch


async def drained(app: Application, batch: str) -> dict[str, int]:
    """The batch's counts once none of it is pending (checked every 0.2 s)."""
    while True:
        async with app.db.read() as conn:
            counts = await outbox.counts_by_status(conn, batch)
        if not counts.get("queued") and not counts.get("retrying"):
            return counts
        await asyncio.sleep(0.2)


async def one_run(recipients: int, rate: float, mixed: bool) -> dict[str, float]:
    """One set-up, start to end; its figures."""
    async with FakeZaloOA(rate_limit_per_minute=10**9) as fake:
        fake.register_template("310001", PARAMS, price_uid=200, price_phone=300)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "templates.toml"
            path.write_text('[call_opened]\ntemplate_id = "310001"\n', encoding="utf-8")
            base = Settings(
                _env_file=None,
                database_url=f"sqlite:///{Path(folder) / 'bench.db'}",
                media_dir=Path(folder) / "media",
                quiet_hours="00:00-00:00",
                web_chat=False,
            )
            settings = with_zalo(
                base,
                fake,
                None,
                zalo_oa_templates=path,
                zalo_oa_business_base_url=fake.base_url,
                zalo_oa_rate_per_second=rate,
                zalo_oa_template_daily_budget=recipients,
                zalo_oa_link="https://zalo.me/1856395038475629301",
            )
            await upgrade(settings.database_url)
            app = Application(settings)
            await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
            batch = await _seed(app, fake, recipients, mixed)
            calls_before = len(fake.calls())
            await app.start()
            try:
                started = time.monotonic()
                app.delivery.kick()
                counts = await drained(app, batch)
                elapsed = time.monotonic() - started
                async with app.db.read() as conn:
                    split = await batch_split(conn, batch)
            finally:
                await app.stop()
        calls = len(fake.calls()) - calls_before
        paid = Counter(s.user_id for s in fake.templates_sent())
        routes = Counter(s.route for s in fake.templates_sent())
    settled = sum(counts.values())
    return {
        "rows_per_s": settled / elapsed,
        "share": 100 * settled / elapsed / rate,
        "calls_per_s": calls / elapsed,
        "elapsed": elapsed,
        "window": counts.get("sent", 0) - split["template"],
        "uid": routes["uid"],
        "phone": routes["phone"],
        "unreachable": counts.get("unreachable", 0),
        "max_paid_per_member": max(paid.values(), default=0),
    }


async def zalo(recipients: int, rate: float, repeats: int) -> None:
    """Baseline and mixed runs alternated `repeats` times; medians and the ratio."""
    # A row settled unreachable is logged per row; thousands of those lines say nothing here.
    logging.getLogger("bot.delivery").setLevel(logging.ERROR)
    results: dict[str, list[dict[str, float]]] = {"baseline": [], "mixed": []}
    for _ in range(repeats):
        for name in ("baseline", "mixed"):
            figures = await one_run(recipients, rate, mixed=name == "mixed")
            results[name].append(figures)
            print(
                f"zalo {name}: {recipients} rows in {figures['elapsed']:.1f} s = "
                f"{figures['rows_per_s']:.1f} rows/s ({figures['share']:.1f}% of {rate:g}/s), "
                f"{figures['calls_per_s']:.1f} HTTP calls/s; window {figures['window']:.0f}, "
                f"template by uid {figures['uid']:.0f}, by phone {figures['phone']:.0f}, "
                f"unreachable {figures['unreachable']:.0f}; "
                f"most paid templates per member {figures['max_paid_per_member']:.0f}"
            )
    medians = {
        name: statistics.median(r["share"] for r in runs) for name, runs in results.items()
    }
    print(
        f"zalo medians over {repeats}: baseline {medians['baseline']:.1f}%, "
        f"mixed {medians['mixed']:.1f}% of the configured rate; "
        f"ratio mixed/baseline {medians['mixed'] / medians['baseline']:.3f}"
    )
