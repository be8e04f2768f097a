"""`racetrace <subcommand>`: import, sessions, laps, compare, demo."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="racetrace")
    parser.parse_args(argv)
    return 0
