"""The seed's REST endpoints over a driver's records, owner-only, plus lap telemetry and comparison."""
