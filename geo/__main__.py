"""`python -m geo`: see geo/cli/program.py."""

import sys

from geo.cli import main

sys.exit(main())
