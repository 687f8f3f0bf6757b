"""Roster sync: who wrote a resident's latest change (``resident.updated_by``).

``updated_at`` already holds when; with ``updated_by`` ("office" or a kiosk id) the pair is the
stamp the last-writer-wins rule compares (records.residents). Rows that exist before this
migration get NULL, which means "changed here and not yet announced": the first sync of each
database announces them (a kiosk through its outbox, the office on its retained roster).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("updated_by")
