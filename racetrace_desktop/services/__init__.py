"""Use cases (import, compare, edit, demo) over telemetry and library. Qt-free."""
