"""Qt-free sync engine and HTTP client for the RaceTrace sync server."""
