"""POST /api/v1/sessions/upload: a logger file in, a session with laps and lap telemetry out."""
