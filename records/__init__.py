"""Storage shared by kiosk and office: tables, raw recordings, outbox, migrations.

SQLAlchemy 2 typed models and Alembic migrations applied at start; SQLite with WAL and
synchronous=FULL by default. Repositories return frozen dataclasses: the ORM never leaves records/.
``check_storage`` says whether a new test's result can be stored (records.health).
"""

from records.database import Database, open_database
from records.errors import StorageUnsafeError
from records.health import check_storage

__all__ = ["Database", "StorageUnsafeError", "check_storage", "open_database"]
