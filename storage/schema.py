"""The schema as SQLAlchemy Core tables; Alembic migrations are generated from it."""

from __future__ import annotations

from functools import cache

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
)

from storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The unit tree. `path` is the materialised chain of ids ("/1/5/23/") so that a scope
# (a unit's whole subtree) is one prefix comparison at any depth.
units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("parent_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("path", String(1000), nullable=False, index=True),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("full_name", String(120), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

# One row per account on one channel; person_id is set once the account has joined.
identities = Table(
    "identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=True, index=True),
    Column("display_name", String(120), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_inbound_at", UTCDateTime(), nullable=True),
    # Set when the platform says the person blocked us; cleared when they write again.
    Column("unreachable_at", UTCDateTime(), nullable=True),
    # Messages received in the current one-minute window (the per-minute abuse limit).
    Column("rate_window_start", UTCDateTime(), nullable=True),
    Column("rate_count", Integer, nullable=False, server_default="0"),
    UniqueConstraint("channel", "external_id", name="uq_identities_channel_external"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("person_id", "unit_id", "role", name="uq_memberships_person_unit_role"),
)

invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True),
    # SHA-256 of the code; the code itself is shown once and never stored.
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("max_uses", Integer, nullable=False),
    Column("uses", Integer, nullable=False, default=0),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Consent records: who agreed to what text version, and when (Law 91/2025 asks for
# consent that can be verified as to time and scope).
consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("purpose", String(32), nullable=False),
    Column("text_version", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("given_at", UTCDateTime(), nullable=False),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
)

conversations = Table(
    "conversations",
    metadata,
    Column("identity_id", Integer, ForeignKey("identities.id"), primary_key=True),
    Column("flow", String(32), nullable=True),
    Column("step", String(32), nullable=True),
    Column("data", JSON, nullable=False),
    Column("history", JSON, nullable=False),
    Column("menu", JSON, nullable=True),
    Column("menu_seq", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime(), nullable=False),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("created_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("deadline_at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
)

nominations = Table(
    "nominations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("reporter_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    # The unit whose reviewers decide first: the reporter's unit when submitted.
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=True, index=True),
    Column("kind", String(16), nullable=False),
    Column("nominee_name", String(120), nullable=False),
    # Name without diacritics, case or punctuation: for duplicate hints.
    Column("nominee_key", String(120), nullable=False, index=True),
    Column("birth_year", Integer, nullable=True),
    Column("place", String(200), nullable=False),
    Column("field", String(32), nullable=False),
    Column("achievement", Text, nullable=False),
    Column("contact_phone", String(20), nullable=True),
    Column("consent_public", Boolean, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("submitted_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("nominations.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("file_ref", String(300), nullable=False),
    Column("mime", String(100), nullable=True),
    Column("size", Integer, nullable=True),
    Column("file_name", String(200), nullable=True),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("added_by", Integer, ForeignKey("people.id"), nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

# Every inbound platform event, written before it is acknowledged.
inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("sender_id", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    # pending: recorded, not yet handled; done: handled; failed: handler raised (kept to inspect)
    Column("status", String(16), nullable=False),
    Column("handled_at", UTCDateTime(), nullable=True),
    UniqueConstraint("channel", "external_id", name="uq_inbox_channel_external"),
)
Index("ix_inbox_pending", inbox.c.status, inbox.c.id)
# A sender's events still to handle, oldest first (migration 0013): the step takes the oldest,
# whichever instance recorded it. Its index, ix_inbox_sender_pending: full_metadata().
PENDING_EVENT = inbox.c.status == literal_column("'pending'")

# Roles one instance at a time plays (sending a channel's outbox, polling a platform): held
# by `holder` until `expires_at` unless renewed, so a dead instance's roles pass to another.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(32), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

# Every outgoing message. Statuses:
#   queued      waiting for its first attempt
#   retrying    a temporary error; next_attempt_at says when
#   sent        the platform accepted it
#   failed      a permanent error, or too many temporary ones
#   blocked     the person blocked the bot on this channel
#   unreachable the platform will not let us write (e.g. Zalo's 7-day window)
#   skipped     an intermediate progress update a channel without edits does not show
#   cancelled   held until a decision stood, and the decision was undone (never sent)
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("identity_id", Integer, ForeignKey("identities.id"), nullable=True),
    # 0 = replies to a person (first), 10 = bulk (digests, broadcasts, reminders)
    Column("priority", Integer, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("dedupe_key", String(200), nullable=True, unique=True),
    Column("batch", String(64), nullable=True, index=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    # A sender holds a row until this time; a crash lets the row be claimed again after it.
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("platform_message_id", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
)
# Rows waiting to be sent, and only those (migration 0008): the claim, the next due time and
# the backlog read this small index, never the history. The statuses are written out as
# literals, in the queries too: a planner uses a partial index only when the query's
# condition is the index's own, and a bound parameter is not (SQLite, and PostgreSQL's
# generic plans of prepared statements).
# Its index, ix_outbox_pending: full_metadata().
PENDING_ROW = outbox.c.status.in_([literal_column("'queued'"), literal_column("'retrying'")])
Index("ix_outbox_chat", outbox.c.channel, outbox.c.chat_id, outbox.c.id)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", Integer, nullable=True),
    Column("detail", JSON, nullable=False),
)

# A scheduled firing claims its key here before it acts, so it runs once.
job_runs = Table(
    "job_runs",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("job", String(64), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("result", JSON, nullable=True),
)

# Small durable values: OAuth token pairs, polling cursors.
kv = Table(
    "kv",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# ---------------------------------------------------------------------------------------------
# Reviews (issue 4): deciding levels, decisions, criteria and scores, commendations, merges,
# digest watermarks and SLA reminders.
# ---------------------------------------------------------------------------------------------

# The unit that decides a nomination now, once it has been forwarded upward; a nomination
# without a row here is decided by its own unit (nominations.unit_id).
review_levels = Table(
    "review_levels",
    metadata,
    Column("nomination_id", Integer, ForeignKey("nominations.id"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("since", UTCDateTime(), nullable=False),
)

# The history of a nomination's review: every decision, question, answer, forward and merge,
# with the level (unit) it happened at. The audit log keeps the same facts for oversight.
review_events = Table(
    "review_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("nominations.id"), nullable=False, index=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("actor_id", Integer, ForeignKey("people.id"), nullable=False),
    # approve, needs_info, answer, reject, forward, merge
    Column("action", String(16), nullable=False),
    # The question, the reason, the recommendation or the answer's text.
    Column("note", Text, nullable=True),
    Column("at", UTCDateTime(), nullable=False),
)

# Criteria sets per unit and field (plan content 1); a unit without its own set for a field
# inherits its nearest ancestor's. Criteria dropped by a later import stay (scores refer to
# them) but are no longer active.
criteria = Table(
    "criteria",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("weight", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("unit_id", "field", "name", name="uq_criteria_unit_field_name"),
)

# One reviewer's score of one criterion for one nomination (re-scoring replaces it).
scores = Table(
    "scores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("nominations.id"), nullable=False, index=True),
    Column("criterion_id", Integer, ForeignKey("criteria.id"), nullable=False),
    Column("reviewer_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint(
        "nomination_id", "criterion_id", "reviewer_id", name="uq_scores_nomination_criterion"
    ),
)

# The official record of a commendation given to an approved nomination.
commendations = Table(
    "commendations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("nominations.id"), nullable=False, index=True),
    # giấy khen, bằng khen, … (typed or chosen)
    Column("form", String(100), nullable=False),
    Column("decision_no", String(64), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("issuer", String(200), nullable=False),
    Column("recorded_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

# A duplicate merged into another nomination; its reporter is kept as a co-reporter.
merges = Table(
    "merges",
    metadata,
    Column("nomination_id", Integer, ForeignKey("nominations.id"), primary_key=True),
    Column("into_id", Integer, ForeignKey("nominations.id"), nullable=False, index=True),
    Column("merged_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("merged_at", UTCDateTime(), nullable=False),
)

# Per reviewer: the nominal time of the last scheduled digest ("new since the last digest").
digest_marks = Table(
    "digest_marks",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("last_digest_at", UTCDateTime(), nullable=False),
)

# A nomination's SLA reminder went out for the wait that began at `waiting_since`.
sla_reminders = Table(
    "sla_reminders",
    metadata,
    Column("nomination_id", Integer, ForeignKey("nominations.id"), primary_key=True),
    Column("waiting_since", UTCDateTime(), primary_key=True),
    Column("sent_at", UTCDateTime(), nullable=False),
)

# ---------------------------------------------------------------------------------------------
# Issue 6 (Zalo): link codes. `/my` shows a short code; typing it on another chat app links
# that app's account to the same person. Stored as a hash, single use, expiring.
link_codes = Table(
    "link_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    Column("used_by", Integer, ForeignKey("identities.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

# ---------------------------------------------------------------------------------------
# Officials (issue 5): calls, bulk sends with progress, events, publications.
# Migration 0003. Columns added to existing tables are appended here so the section
# stays in one place.
# ---------------------------------------------------------------------------------------

# A call's reminders (days before the deadline), which of them went out, and its photo.
campaigns.append_column(Column("reminder_days", JSON, nullable=True))
campaigns.append_column(Column("reminders_done", JSON, nullable=True))
campaigns.append_column(Column("photo", JSON, nullable=True))
# A message that replaces an earlier one with the same key in the same chat (progress
# reports): channels that can edit edit that message; the others send a new one.
outbox.append_column(Column("replace_key", String(200), nullable=True))
Index("ix_outbox_replace", outbox.c.channel, outbox.c.chat_id, outbox.c.replace_key)

# One row per bulk send (a call's opening, a broadcast, reminders, an event invitation):
# its recipients are the outbox rows of `batch`; progress is a count by status.
bulk_sends = Table(
    "bulk_sends",
    metadata,
    Column("id", Integer, primary_key=True),
    # call | broadcast | reminder | event
    Column("kind", String(16), nullable=False),
    Column("batch", String(64), nullable=False, unique=True),
    Column("created_by", Integer, ForeignKey("people.id"), nullable=True, index=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("object_id", Integer, nullable=True),
    Column("text", Text, nullable=False),
    Column("total", Integer, nullable=False),
    # Members in scope with no reachable account: counted, never sent to.
    Column("unreachable", Integer, nullable=False),
    Column("report", Boolean, nullable=False),
    Column("progress_seq", Integer, nullable=False, default=0),
    Column("last_counts", JSON, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
)
Index("ix_bulk_sends_open", bulk_sends.c.finished_at, bulk_sends.c.id)

# Visits and exchanges with exemplary models (plan content 3).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("created_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("place", String(200), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("capacity", Integer, nullable=True),
    # open | cancelled
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("reminded_at", UTCDateTime(), nullable=True),
    # Answers Tham gia, counted where the capacity is checked (migration 0008).
    Column("attending", Integer, nullable=False, server_default="0"),
)

event_rsvps = Table(
    "event_rsvps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    # yes | no
    Column("answer", String(8), nullable=False),
    Column("answered_at", UTCDateTime(), nullable=False),
    UniqueConstraint("event_id", "person_id", name="uq_event_rsvps_event_person"),
)

# Approved exemplars published with the nominee's consent (plan content 2): the public
# honour page /vinh-danh/<slug>, a share card, and a post in the public channel.
publications = Table(
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("nominations.id"), nullable=False, unique=True),
    Column("slug", String(160), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("subtitle", String(200), nullable=False),
    Column("story", Text, nullable=False),
    # Stored media file names (under MEDIA_DIR): the chosen photo and the generated card.
    Column("photo", String(300), nullable=True),
    Column("card", String(300), nullable=True),
    # published | withdrawn
    Column("status", String(16), nullable=False),
    Column("published_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("published_at", UTCDateTime(), nullable=False),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
)
# Issue 14 (migration 0009): the honour pages show the chosen photo once, compressed for a
# phone (`picture`) and as a small image on the list (`thumb`), with the unit that honours.
publications.append_column(Column("picture", String(300), nullable=True))
publications.append_column(Column("thumb", String(300), nullable=True))
publications.append_column(Column("unit_id", Integer, ForeignKey("units.id"), nullable=True))

# ---------------------------------------------------------------------------------------------
# Issue 11 (security): web sessions, web uploads, rate windows, link requests. Migration 0007.
# ---------------------------------------------------------------------------------------------

# A browser signed in: the web chat (kind "chat": bound to one web identity, a device of its
# own, which joins or signs in like any chat account) or, later, the web console (kind
# "console": bound to a person). Only the SHA-256 of the cookie's token is stored.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("identity_id", Integer, ForeignKey("identities.id"), nullable=True, index=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=True, index=True),
    # "Chrome · Android": a summary of the User-Agent for the device list, never the header.
    Column("device", String(60), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    # Absolute end; the idle end is last_seen_at plus the idle lifetime (a setting).
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# Evidence files the web chat stored (re-encoded), per account: the daily quota, and what an
# erasure or a purge must reach. Files of other channels stay on their platform.
web_uploads = Table(
    "web_uploads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identity_id", Integer, ForeignKey("identities.id"), nullable=False),
    Column("file_name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_web_uploads_identity_created", web_uploads.c.identity_id, web_uploads.c.created_at)

# Counters of a fixed window under a key ("web.session:<address digest>"): limits that hold
# across instances. Client addresses appear only as keyed digests.
rate_windows = Table(
    "rate_windows",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("window_start", UTCDateTime(), nullable=False),
    Column("count", Integer, nullable=False),
)

# Wrong codes across every account in the last hour (the overall guessing limit).
Index("ix_audit_log_action_at", audit_log.c.action, audit_log.c.at)

# A link code typed on a new account of a person who holds a reviewer, official or admin
# role: the account is linked only once an already linked account confirms.
# pending | confirmed | refused | expired
link_requests = Table(
    "link_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("identity_id", Integer, ForeignKey("identities.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("decided_by", Integer, ForeignKey("identities.id"), nullable=True),
)

# ---------------------------------------------------------------------------------------------
# Issue 12 (personal data): consent withdrawn and erasure of members, consent refused at
# joining, the nominee's consent to publication as evidence, clean copies of platform images,
# anonymised nominees. Migration 0010.
# ---------------------------------------------------------------------------------------------

# Set while the member's consent is withdrawn (nothing is sent to them, nothing they need not
# do is offered); cleared when they agree again. The consents rows keep the history.
people.append_column(Column("consent_withdrawn_at", UTCDateTime(), nullable=True))
# An erased member: the row stays only so that the organisation's records (nominations,
# decisions) keep a reporter; its name is the placeholder, every personal field is empty.
people.append_column(Column("erased_at", UTCDateTime(), nullable=True))
# Someone who refused consent at joining: only this account id and the time are kept, so
# the refusal is remembered and they are not asked again unless they type an invite.
identities.append_column(Column("consent_refused_at", UTCDateTime(), nullable=True))
# A nominee whose data was anonymised on request (name, birth year, place, phone, story,
# evidence gone; the record counts in the figures).
nominations.append_column(Column("anonymised_at", UTCDateTime(), nullable=True))
# A platform image (Telegram, Zalo) the bot fetched and re-encoded without metadata: the
# clean copy's file name under MEDIA_DIR, used wherever the bot shows or publishes it.
evidence.append_column(Column("clean_file", String(64), nullable=True))
# When fetching was settled (a clean copy made, or given up): rows left to fetch have none.
evidence.append_column(Column("fetched_at", UTCDateTime(), nullable=True))

# The nominee's consent to publication, as evidence: the exact text and version the nominee
# (or, under 16, a guardian) agreed to, who vouched for it, when and how it was obtained
# (in_person | phone | paper, with the signed paper's photo), the official who checked it
# before publishing, and its withdrawal.
nominee_consents = Table(
    "nominee_consents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("nominations.id"), nullable=False, index=True),
    Column("text_version", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("method", String(16), nullable=False),
    # The signed paper's photo: an attachment of its channel (JSON), for method "paper".
    Column("paper", JSON, nullable=True),
    Column("by_guardian", Boolean, nullable=False),
    # "Nguyễn Văn B, bố": typed by whoever vouched, only for a guardian's consent.
    Column("guardian", String(120), nullable=True),
    Column("vouched_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("given_at", UTCDateTime(), nullable=False),
    Column("confirmed_by", Integer, ForeignKey("people.id"), nullable=True),
    Column("confirmed_at", UTCDateTime(), nullable=True),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
    Column("withdrawn_by", Integer, ForeignKey("people.id"), nullable=True),
)

# An erasure finds the audit entries by and about a person without reading the whole log.
Index("ix_audit_log_object", audit_log.c.object_type, audit_log.c.object_id)
Index("ix_audit_log_actor", audit_log.c.actor_id)

# ---------------------------------------------------------------------------------------------
# Issue 17 (web console). Migration 0011.
# ---------------------------------------------------------------------------------------------

# One-time links into the web console that /web gives a reviewer, official or admin in a chat
# app: only the SHA-256 of the link's token is kept; used once, within minutes, then purged.
console_links = Table(
    "console_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)
# The console's queue table and unit page, the digest's waiting counts (bench/console.py):
# a unit's nominations by status in a period, and the waiting ones by unit with their wait,
# each read from the index alone.
Index(
    "ix_nominations_unit_status_submitted",
    nominations.c.unit_id,
    nominations.c.status,
    nominations.c.submitted_at,
)
Index(
    "ix_nominations_status_unit_updated",
    nominations.c.status,
    nominations.c.unit_id,
    nominations.c.updated_at,
)
# The queue filtered by field: the matching rows in status and waiting order.
Index(
    "ix_nominations_field_status_updated",
    nominations.c.field,
    nominations.c.status,
    nominations.c.updated_at,
)

# ---------------------------------------------------------------------------------------------
# Issue 14 (conversations that forgive): what the engine holds besides a flow's draft, the
# decisions that can still be undone, and the last message each chat received. Migration 0012.
# ---------------------------------------------------------------------------------------------

# The engine's own state between two messages (handlers/pending.py): a flow put aside
# while another runs (a reply to a reviewer's question during a nomination), and a message
# held until the person says what it was for (a navigation word typed at a free-text step,
# a story longer than the step takes, a name tidied before it is stored).
# None is stored as SQL NULL, so "has something pending" is a plain IS NOT NULL (the purge).
conversations.append_column(Column("pending", JSON(none_as_null=True), nullable=True))

# A decision another person will see (approve, reject, forward, merge, publish, a bulk send):
# it takes effect at once, the people it concerns are told at `undo_until` (outbox rows of
# `batch` due then), and until that moment its maker may undo it if nobody acted on it since.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    # approve | reject | forward | merge | publish | broadcast | call | event
    Column("kind", String(16), nullable=False),
    Column("actor_id", Integer, ForeignKey("people.id"), nullable=False),
    # The nomination, publication, bulk send, call or event decided.
    Column("object_id", Integer, nullable=False),
    # What the maker is shown (a nomination's code, a broadcast's first words).
    Column("label", String(200), nullable=False),
    # What undoing needs: the status before, the level before, the files a merge moved.
    Column("detail", JSON, nullable=False),
    # The outbox rows held until it stands (notifications, the fan-out, the channel post).
    Column("batch", String(64), nullable=False, unique=True),
    Column("made_at", UTCDateTime(), nullable=False),
    Column("undo_until", UTCDateTime(), nullable=False),
    Column("undone_at", UTCDateTime(), nullable=True),
)
Index("ix_decisions_actor_until", decisions.c.actor_id, decisions.c.undo_until)

# "What did this chat receive last?": a reply right after a message answers that message.
Index("ix_outbox_chat_sent", outbox.c.channel, outbox.c.chat_id, outbox.c.sent_at)
# A chat's delivery numbers (the web chat's sequence): its last one, and those after a page's.
Index("ix_outbox_chat_number", outbox.c.channel, outbox.c.chat_id, outbox.c.platform_message_id)
# What one account sent, in order: the web chat shows it back after a reload.
Index("ix_inbox_sender_received", inbox.c.channel, inbox.c.sender_id, inbox.c.received_at)

# ---------------------------------------------------------------------------------------------
# Issue 15 (Zalo template messages outside the 7-day window). Migration 0014.
# ---------------------------------------------------------------------------------------------

# One paid template send per outbox row (bot/channels/zalo_oa_templates.py). Written
# ('sending') and committed before Zalo is called, so a crash between the call and its
# answer leaves a trace: that row is never sent again without its answer ('unknown').
# Statuses: sending | sent | failed (Zalo refused: not charged) | unknown (answer lost).
zalo_template_sends = Table(
    "zalo_template_sends",
    metadata,
    Column("outbox_id", Integer, primary_key=True, autoincrement=False),
    # The outbox row's batch: a bulk send's report splits its messages by route.
    Column("batch", String(64), nullable=True, index=True),
    # The unit whose budget paid (0: none, the bot's own messages).
    Column("unit_id", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("route", String(8), nullable=False),  # uid | phone
    Column("status", String(16), nullable=False),
    # Zalo's idempotency and lookup key (≤ 48 characters, A.7); delivery events carry it.
    Column("tracking_id", String(48), nullable=False, unique=True),
    Column("msg_id", String(64), nullable=True, index=True),
    # What it cost by the configured price (đồng; 0 when no price is set).
    Column("price", Integer, nullable=False),
    Column("error", String(300), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("settled_at", UTCDateTime(), nullable=True),
    # From Zalo's delivery events (X-ZEvent-Server: ZNS), where it sends them.
    Column("delivered_at", UTCDateTime(), nullable=True),
    Column("read_at", UTCDateTime(), nullable=True),
)

# Template messages a unit used per local day ("2026-12-05") and month ("2026-12"): the
# budget, shared by every instance, taken with one conditional UPDATE before each send.
zalo_template_budget = Table(
    "zalo_template_budget",
    metadata,
    Column("unit_id", Integer, primary_key=True, autoincrement=False),
    Column("period", String(10), primary_key=True),
    Column("used", Integer, nullable=False),
    Column("spent", Integer, nullable=False),
)

# A Zalo OA member's verified phone, kept only to reach them by template when the user-id
# path fails, and only with their consent for that purpose (shown by /dulieu, erased by
# /xoadulieu, deleted when consent is withdrawn and after the retention period).
zalo_template_phones = Table(
    "zalo_template_phones",
    metadata,
    Column(
        "identity_id",
        Integer,
        ForeignKey("identities.id"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("phone", String(16), nullable=False),  # 84…, as Zalo takes it
    Column("source", String(16), nullable=False),  # submit_info (Zalo's form) | join
    Column("consent_version", String(32), nullable=False),
    Column("consented_at", UTCDateTime(), nullable=False),
)


@cache
def full_metadata() -> MetaData:
    """The metadata with its partial indexes: what the migrations build and are checked against.

    Declared only here because naming PostgreSQL's `postgresql_where` makes SQLAlchemy import
    its whole PostgreSQL dialect (2 MB, every driver's module) to check the option: the bot
    never creates tables from this metadata (the migrations do) nor reads its indexes, so a
    bot on SQLite does without. The migrations' environment and their test call this.
    """
    for name, table, columns, where in (
        ("ix_inbox_sender_pending", inbox, ("channel", "sender_id", "id"), PENDING_EVENT),
        ("ix_outbox_pending", outbox, ("channel", "priority", "id"), PENDING_ROW),
    ):
        Index(
            name,
            *(table.c[column] for column in columns),
            sqlite_where=where,
            postgresql_where=where,
        )
    return metadata
