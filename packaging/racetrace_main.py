"""Entry script of the frozen app: the same `racetrace` entry point as the installed console script."""

import sys

from racetrace_desktop.entry import main

if __name__ == "__main__":
    sys.exit(main())
