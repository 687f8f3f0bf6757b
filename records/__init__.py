"""Storage shared by kiosk and office: tables, raw recordings, outbox, migrations.

SQLAlchemy 2 typed models and Alembic migrations applied at start; SQLite with WAL and
synchronous=FULL by default. Repositories return frozen dataclasses: the ORM never leaves records/.
"""

from records.database import Database, open_database

__all__ = ["Database", "open_database"]
