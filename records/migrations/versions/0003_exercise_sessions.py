"""Exercise sessions: the programme and level done, the session's effort (RPE), pain and notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_code", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("level", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rpe", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pain", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        for column in ("notes", "pain", "rpe", "level", "programme_code"):
            batch_op.drop_column(column)
