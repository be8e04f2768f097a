"""Alembic migrations of the local library (run by library.migrate).

HEAD_REVISION is the newest migration: opening a file already there skips loading Alembic. Adding a migration
means updating it (tests/desktop/library/test_library_schema.py checks it against Alembic's head).
"""

HEAD_REVISION = "0005_corners"
