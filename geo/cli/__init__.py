"""The command line, `python -m geo ...`: one module per command group.

Other stages import only the names listed in `__all__` (tests/test_layers.py checks it).
"""

from geo.cli.program import (
    main,
)

__all__ = [
    "main",
]
