"""Push/pull sync of a driver's records (see API.md), telemetry and original-file uploads."""
