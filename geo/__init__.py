"""Force Posture Map: turn open-source reporting on military force posture into maps.

Data flows one way: text -> mentions -> events -> store -> time slice -> map.
"""

from geo.native import native_path

__version__ = "0.1.0"

# The extraction modules compiled by mypyc, when built from these very sources (geo/native.py).
__path__[:0] = native_path()
