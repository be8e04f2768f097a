"""The CLI's commands on the library (import, sessions, laps, compare, corners, demo) and `run`, which opens the
library, runs the parsed command (the sync ones are in `sync_commands`) and prints its text or JSON.

Each command returns (payload for --json, text, exit code). Loaded only when a command runs (see `cli.main`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from racetrace_desktop.cli import sync_commands
from racetrace_desktop.cli.output import (
    bests_json,
    compare_json,
    compare_text,
    corners_json,
    corners_text,
    import_json,
    import_text,
    lap_json,
    laps_text,
    session_json,
    sessions_text,
)
from racetrace_desktop.services import library_service
from racetrace_desktop.services.library_access import Library, LibraryError, open_library
from racetrace_desktop.services.lookup import NotFoundError, resolve_configuration, resolve_session
from racetrace_desktop.sync.errors import SyncError


def _cmd_import(library: Library, args: argparse.Namespace) -> tuple[Any, str, int]:
    from racetrace_desktop.services.importer import import_files

    report = import_files(library, args.files)
    return import_json(report, library), import_text(report, library), 1 if report.failed else 0


def _cmd_sessions(library: Library, _args: argparse.Namespace) -> tuple[Any, str, int]:
    sessions = library_service.list_sessions(library)
    return {"sessions": [session_json(s) for s in sessions]}, sessions_text(sessions), 0


def _cmd_laps(library: Library, args: argparse.Namespace) -> tuple[Any, str, int]:
    session = resolve_session(library, args.session)
    from racetrace_desktop.services.lap_bests import session_bests

    laps = library_service.session_laps(library, session.uuid)
    bests = session_bests(library, session.uuid)
    payload = {"session": session_json(session), "laps": [lap_json(lap) for lap in laps], **bests_json(bests)}
    return payload, laps_text(session, laps, bests), 0


def _cmd_compare(library: Library, args: argparse.Namespace) -> tuple[Any, str, int]:
    from racetrace_desktop.services.compare_service import compare_stored_laps

    lap_ids = [sync_commands.resolve_compare_lap(library, text) for text in args.laps]
    reference = sync_commands.resolve_compare_lap(library, args.reference) if args.reference else None
    if reference is not None and reference not in lap_ids:
        lap_ids.insert(0, reference)
    result = compare_stored_laps(library, lap_ids, reference, fetch_telemetry=sync_commands.telemetry_fetcher(library))
    return compare_json(result), compare_text(result), 0


def _cmd_corners(library: Library, args: argparse.Namespace) -> tuple[Any, str, int]:
    from racetrace_desktop.services import corner_service as corners_of

    configuration = resolve_configuration(library, args.target)
    config_id = configuration.id
    if args.rename:
        corners = corners_of.rename_corner(library, config_id, _corner_number(args.rename[0]), args.rename[1])
    elif args.add is not None:
        corners = corners_of.add_corner(library, config_id, args.add)
    elif args.delete is not None:
        corners = corners_of.delete_corner(library, config_id, args.delete)
    elif args.move_apex:
        corners = corners_of.move_apex(library, config_id, _corner_number(args.move_apex[0]), args.move_apex[1])
    elif args.split:
        corners = corners_of.split_corner(library, config_id, _corner_number(args.split[0]), args.split[1])
    elif args.merge is not None:
        corners = corners_of.merge_corners(library, config_id, args.merge)
    else:
        corners = corners_of.configuration_corners(library, config_id, redetect=args.redetect)
    return corners_json(config_id, corners), corners_text(configuration, corners), 0


def _corner_number(text: str | float) -> int:
    number = float(text)
    if not number.is_integer() or number < 1:
        raise ValueError(f"corner number must be a whole number from 1, not {text!r}")
    return int(number)


def _cmd_demo(library: Library, _args: argparse.Namespace) -> tuple[Any, str, int]:
    from racetrace_desktop.services.demo import fill_demo_library

    report = fill_demo_library(library)
    if report is None:
        return {"imported": [], "skipped": "library not empty"}, "The library is not empty: no demo data added.", 0
    return import_json(report, library), import_text(report, library), 1 if report.failed else 0


COMMANDS: dict[str, Callable[[Library, argparse.Namespace], tuple[Any, str, int]]] = {
    "import": _cmd_import,
    "sessions": _cmd_sessions,
    "laps": _cmd_laps,
    "compare": _cmd_compare,
    "corners": _cmd_corners,
    "demo": _cmd_demo,
    "account": sync_commands.cmd_account,
    "sync": sync_commands.cmd_sync,
    "publish": sync_commands.cmd_publish,
    "leaderboard": sync_commands.cmd_leaderboard,
}


def run(args: argparse.Namespace) -> int:
    try:
        with open_library() as library:
            payload, text, code = COMMANDS[args.command](library, args)
    except (NotFoundError, LibraryError, ValueError, SyncError) as error:
        _fail(args, str(error))
        return 2
    if args.json:
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)
    return code


def _fail(args: argparse.Namespace, message: str) -> None:
    if getattr(args, "json", False):
        json.dump({"error": message}, sys.stdout)
        sys.stdout.write("\n")
    print(f"racetrace {args.command}: {message}", file=sys.stderr)
