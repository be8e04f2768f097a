"""Tracks and configurations: public reads, admin writes; every write takes a sync revision."""
