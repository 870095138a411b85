"""outbox: a partial index on pending rows; events: the count of Tham gia answers

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING = sa.text("status IN ('queued', 'retrying')")


def upgrade() -> None:
    # The claim, the next due time and the backlog read the pending rows only; the old index
    # by status covered every row ever sent.
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["channel", "priority", "id"],
        unique=False,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.drop_index("ix_outbox_due", table_name="outbox")
    # Seats taken, checked by a conditional update (concurrent answers never overfill).
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attending", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE events SET attending = (SELECT count(*) FROM event_rsvps"
        " WHERE event_rsvps.event_id = events.id AND event_rsvps.answer = 'yes')"
    )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("attending")
    op.create_index(
        "ix_outbox_due", "outbox", ["status", "priority", "next_attempt_at"], unique=False
    )
    op.drop_index("ix_outbox_pending", table_name="outbox")
