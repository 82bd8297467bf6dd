"""Code behind the course *In Common They Fought?*.

Modules, one job each:

- ``paths``: where the course's folders are.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
