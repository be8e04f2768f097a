"""Public leaderboard: best valid public lap per driver and track configuration."""
