"""RaceTrace desktop: local-first lap-telemetry analysis."""

__version__ = "0.1.0"
