"""`racetrace` console entry: subcommands go to the CLI; no arguments, `gui`, or files (a file manager's "open
with") open the window."""

from __future__ import annotations

import sys
from pathlib import Path


def wants_window(args: list[str]) -> bool:
    return not args or args[0] == "gui" or Path(args[0]).is_file()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--smoke-test":
        from racetrace_desktop.ui.smoke import run_smoke_test  # checks an installed build end to end

        return run_smoke_test(args[1:])
    if wants_window(args):
        from racetrace_desktop.ui.app import run_gui  # Qt only when the window is wanted

        return run_gui(args[1:] if args and args[0] == "gui" else args)
    from racetrace_desktop.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
