"""The `racetrace` argument parser. It imports only the standard library: building it (for `--version`, `--help`
or a typo) must not load SQLAlchemy, numpy or httpx."""

from __future__ import annotations

import argparse
from pathlib import Path

from racetrace_desktop import __version__

SubParsers = argparse._SubParsersAction  # argparse exposes no public name for it


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="racetrace", description="RaceTrace lap-telemetry library.")
    parser.add_argument("--version", action="version", version=f"racetrace {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_library_parsers(sub)
    _add_sync_parsers(sub)
    for command in sub.choices.values():
        command.add_argument("--json", action="store_true", help="print JSON for scripts")
    return parser


def _add_library_parsers(sub: SubParsers[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="import telemetry files into the library")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")

    sub.add_parser("sessions", help="list the sessions in the library")

    laps = sub.add_parser("laps", help="list the laps of a session")
    laps.add_argument("session", metavar="SESSION_ID", help="session id (or a unique prefix of it)")

    cmp_ = sub.add_parser("compare", help="compare laps against a reference: sector deltas and delta-T")
    cmp_.add_argument("laps", nargs="+", metavar="LAP_ID", help="lap id, unique prefix, or SESSION_ID:LAP_NUMBER")
    cmp_.add_argument("--reference", metavar="LAP_ID", help="reference lap (default: the fastest valid lap)")

    corners = sub.add_parser("corners", help="the corners of a track configuration, detected once from its fastest lap")
    corners.add_argument("target", metavar="TRACK_OR_SESSION_ID",
                         help="a session id (or unique prefix), a track name, or a track configuration number")
    edit = corners.add_mutually_exclusive_group()
    edit.add_argument("--redetect", action="store_true", help="detect the corners again (resets names and edits)")
    edit.add_argument("--rename", nargs=2, metavar=("N", "NAME"), help="name corner N (e.g. 'Eau Rouge')")
    edit.add_argument("--add", type=float, metavar="APEX_M", help="add a corner with its apex at this distance")
    edit.add_argument("--delete", type=int, metavar="N", help="delete corner N")
    edit.add_argument("--move-apex", nargs=2, type=float, metavar=("N", "APEX_M"), help="move corner N's apex")
    edit.add_argument("--split", nargs=2, type=float, metavar=("N", "AT_M"), help="split corner N at this distance")
    edit.add_argument("--merge", type=int, metavar="N", help="merge corner N with the next one (a double apex)")

    sub.add_parser("demo", help="fill an empty library with generated demo sessions")


def _add_sync_parsers(sub: SubParsers[argparse.ArgumentParser]) -> None:
    account = sub.add_parser("account", help="sign in to a sync server, sign out, show the sync status")
    actions = account.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (("register", "create an account and sign in"), ("login", "sign in with a password")):
        parser = actions.add_parser(name, help=helptext)
        parser.add_argument("--server", required=True, metavar="URL", help="e.g. https://racetrace.example.org")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", help="e-mail address (register only)")
        parser.add_argument("--password-stdin", action="store_true", required=True,
                            help="read the password from the first line of standard input")  # fmt: skip
    actions.add_parser("logout", help="sign out (revokes the sign-in on the server and clears the keyring)")
    actions.add_parser("status", help="server, account, last sync, pending changes, last error")
    actions.add_parser("unlink", help="detach the library from its account (the next sync uploads everything)")
    for parser in actions.choices.values():
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    sync = sub.add_parser("sync", help="sync the library with the server (push, pull, telemetry, leaderboards)")
    sync.add_argument("--progress", action="store_true", help="print progress lines on standard error")

    publish = sub.add_parser("publish", help="make a session (or one lap) public for the leaderboard")
    publish.add_argument("session", metavar="SESSION_ID", nargs="?", help="session id (or a unique prefix)")
    publish.add_argument("--lap", metavar="LAP_ID", help="publish only this lap (id, prefix or SESSION:N)")

    board = sub.add_parser("leaderboard", help="leaderboards per track configuration; `download LAP_ID` stores one")
    board.add_argument("words", nargs="*", metavar="download LAP_ID", help="download an entry's lap for compare")
    board.add_argument("--track-config", metavar="ID", help="server configuration id (or a unique prefix)")
    board.add_argument("--category", help="car category filter")
