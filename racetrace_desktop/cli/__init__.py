"""`racetrace <subcommand>`: import, sessions, laps, compare, corners, demo; account, sync, publish, leaderboard.

Human-readable output by default, `--json` for scripts; the exit code is non-zero when anything failed.
`main` parses the arguments with a parser that imports nothing heavy (`parser`), then loads the commands
(`commands`, `sync_commands`: the library, SQLAlchemy, numpy, httpx) only for a command that runs, so
`racetrace --version` and `--help` answer at once.
"""

from __future__ import annotations

from racetrace_desktop.cli.parser import build_parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from racetrace_desktop.cli.commands import run  # the library and its SQLAlchemy load only now

    return run(args)
