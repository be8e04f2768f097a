"""Benchmarks: `packaging/tasks.sh bench` (or `python -m benchmarks [name ...]`)."""
