"""Lap view and compare view: plots and map fed from the library."""
