"""Password sign-in, rotating refresh tokens and admin tokens. OAuth routes plug in next to `routes.router`."""
