"""Force Posture Map: turn open-source reporting on military force posture into maps.

Data flows one way: text -> mentions -> events -> store -> time slice -> map.
"""

__version__ = "0.1.0"
