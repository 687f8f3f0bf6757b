"""Kiosk backlog on the office: what each kiosk last reported in its retained status.

``kiosk_link`` gains ``backlog`` (messages saved at the kiosk and not yet acknowledged by the
office), ``oldest_unacked_at`` (when the oldest of them was saved) and ``backlog_at`` (when the
kiosk counted them). Rows that exist before this migration get NULL: no backlog reported yet.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kiosk_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backlog", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("oldest_unacked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("backlog_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kiosk_link", schema=None) as batch_op:
        batch_op.drop_column("backlog_at")
        batch_op.drop_column("oldest_unacked_at")
        batch_op.drop_column("backlog")
