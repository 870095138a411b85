"""outbox: an index on each chat's delivery numbers (the web chat's sequence)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A reply delivered as it is inserted is numbered after its chat's last number, and a
    # page reads the numbers after the one it has: both from the top of this index, not from
    # every message the chat ever received (the outbox keeps its rows).
    op.create_index(
        "ix_outbox_chat_number",
        "outbox",
        ["channel", "chat_id", "platform_message_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_number", table_name="outbox")
