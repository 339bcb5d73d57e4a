"""Entry point for `python -m sprintsync`."""

import sys

from sprintsync.cli import main

sys.exit(main())
