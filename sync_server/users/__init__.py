"""A user's own profile."""
