"""extract"""

from geo.native import native_path

# This stage's modules compiled by mypyc, when built from these very sources (geo/native.py).
__path__[:0] = native_path("extract")
