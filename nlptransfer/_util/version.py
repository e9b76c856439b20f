"""The package's version, in the bottom layer so that any module may name it without importing
the package facade (``nlptransfer/__init__.py``), which imports everything else.

Example:
    >>> import nlptransfer
    >>> nlptransfer.__version__ == __version__
    True
"""

__version__ = "0.1.0"
