import sys

from racetrace_desktop.entry import main

sys.exit(main())
