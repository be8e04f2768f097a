"""Dialogs: records (cars, events, tracks, session edit), settings and About."""
