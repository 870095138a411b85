"""The baseline for bench/telegram.py: the same nomination conversation on python-telegram-bot's
stock Application, Updater and ConversationHandler, state in memory (nothing survives a crash).

Run: TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE_URL=… python -m bench.ptb_baseline
"""

from __future__ import annotations

import os
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.consent_texts import METHODS, NOMINEE_VERSION, nominee_text
from handlers.messages import t
from handlers.text import match_option, normalize_phone

os.environ.setdefault("PTB_TIMEDELTA", "true")

KINDS = ("individual", "collective", "household")
FIELDS = ("labour", "business", "study", "work", "defence", "good_deed", "other")
KIND, NAME, BIRTH, PLACE, FIELD, STORY, EVIDENCE, PHONE, CONSENT, REVIEW = range(10)
Context = ContextTypes.DEFAULT_TYPE
SUBMITTED: list[dict[str, Any]] = []  # the baseline keeps everything in memory


def menu(labels: list[str]) -> InlineKeyboardMarkup:
    """Inline buttons like ours (short callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"1.{n}")] for n, label in enumerate(labels)]
    )


async def say(update: Update, text: str, labels: list[str] | None = None) -> None:
    assert update.effective_chat is not None
    markup = menu(labels) if labels else None
    await update.effective_chat.send_message(text, reply_markup=markup)


def answer(update: Update) -> str:
    assert update.message is not None
    return (update.message.text or "").strip()


def data(context: Context) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data


async def start(update: Update, context: Context) -> int:
    data(context).clear()
    await say(update, t("nominate.intro"))
    await say(update, t("nominate.ask_kind"), [t(f"nominate.kind.{k}") for k in KINDS])
    return KIND


async def kind(update: Update, context: Context) -> int:
    index = match_option(answer(update), [t(f"nominate.kind.{k}") for k in KINDS])
    if index is None:
        await say(update, t("common.not_an_option"))
        return KIND
    data(context)["kind"] = KINDS[index]
    await say(update, t(f"nominate.ask_name.{KINDS[index]}"))
    return NAME


async def name(update: Update, context: Context) -> int:
    text = answer(update)
    if not 2 <= len(text) <= 120:
        await say(update, t("common.too_short", min=2))
        return NAME
    data(context)["name"] = text
    await say(update, t("nominate.ask_birth_year"), [t("common.choice.skip")])
    return BIRTH


async def birth(update: Update, context: Context) -> int:
    text = answer(update)
    if match_option(text, [t("common.choice.skip")]) is None:
        if not (text.isdigit() and 1900 <= int(text) <= 2026):
            await say(update, t("nominate.birth_year_invalid", min=1900, max=2026))
            return BIRTH
        data(context)["birth_year"] = int(text)
    await say(update, t("nominate.ask_place"))
    return PLACE


async def place(update: Update, context: Context) -> int:
    data(context)["place"] = answer(update)
    await say(update, t("nominate.ask_field"), [t(f"nominate.field.{f}") for f in FIELDS])
    return FIELD


async def field(update: Update, context: Context) -> int:
    index = match_option(answer(update), [t(f"nominate.field.{f}") for f in FIELDS])
    if index is None:
        await say(update, t("common.not_an_option"))
        return FIELD
    data(context)["field"] = FIELDS[index]
    await say(update, t("nominate.ask_achievement", min=20))
    return STORY


async def story(update: Update, context: Context) -> int:
    text = answer(update)
    if len(text) < 20:
        await say(update, t("common.too_short", min=20))
        return STORY
    data(context)["achievement"] = text
    labels = [t("common.choice.done"), t("common.choice.skip")]
    await say(update, t("nominate.ask_evidence", max=10), labels)
    return EVIDENCE


async def evidence(update: Update, context: Context) -> int:
    await say(update, t("nominate.ask_phone"), [t("common.choice.skip")])
    return PHONE


# How the nominee agreed to publication, as the bot asks it ("none": not yet).
CONSENT_METHODS = [t(f"consent.method.{m}") for m in (*METHODS, "none")]


async def phone(update: Update, context: Context) -> int:
    text = answer(update)
    if match_option(text, [t("common.choice.skip")]) is None:
        data(context)["phone"] = normalize_phone(text)
    text = t("consent.ask_method", version=NOMINEE_VERSION, text=nominee_text(), minor="")
    await say(update, text, CONSENT_METHODS)
    return CONSENT


async def consent(update: Update, context: Context) -> int:
    index = match_option(answer(update), CONSENT_METHODS)
    data(context)["consent"] = index is not None and index < len(METHODS)
    summary = "\n".join(f"• {k}: {v}" for k, v in data(context).items())
    labels = [t("nominate.choice.submit"), t("nominate.choice.edit"), t("nominate.choice.cancel")]
    await say(update, t("nominate.review", summary=summary), labels)
    return REVIEW


async def review(update: Update, context: Context) -> int:
    SUBMITTED.append(dict(data(context)))
    code = f"GS-2026-{len(SUBMITTED):06d}"
    labels = [t("common.menu.nominate"), t("common.menu.my"), t("common.menu.help")]
    await say(update, t("nominate.submitted", code=code, unit="Hội LHPN xã An Bình"), labels)
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    await say(update, t("common.cancelled"))
    return ConversationHandler.END


def build() -> Application:  # type: ignore[type-arg]
    """The stock application: Updater polling, one update at a time."""
    text = filters.TEXT & ~filters.COMMAND
    steps = (kind, name, birth, place, field, story, evidence, phone, consent, review)
    conversation = ConversationHandler(
        entry_points=[CommandHandler("decu", start)],
        states={n: [MessageHandler(text, step)] for n, step in enumerate(steps)},
        fallbacks=[CommandHandler("huy", cancel)],
    )
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_FILE_BASE_URL"])
        .build()
    )
    app.add_handler(conversation)
    return app


if __name__ == "__main__":
    build().run_polling(poll_interval=0.0, timeout=10)
