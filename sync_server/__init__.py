"""RaceTrace sync server (FastAPI)."""
