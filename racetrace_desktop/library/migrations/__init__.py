"""Alembic migrations of the local library (run by library.migrate)."""
