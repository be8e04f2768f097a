"""Server-side lap analysis on stored telemetry (numpy only)."""
