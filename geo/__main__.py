"""`python -m geo`: see geo/cli/main.py."""

import sys

from geo.cli.main import main

sys.exit(main())
