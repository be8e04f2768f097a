"""Pure-numpy telemetry: file readers, laps, distance, sectors, delta-T."""
