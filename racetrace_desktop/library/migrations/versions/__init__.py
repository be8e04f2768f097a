"""Revisions of the local library schema."""
