"""Certification date of a resident: the day the current care-need certification was made.

``resident`` gains ``certified_on`` (要介護・要支援認定の認定日), so that a renewal that keeps the
care level is recorded too (office.evaluation counts renewals and changes). Residents that exist
before this migration get NULL: not recorded yet.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certified_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("certified_on")
