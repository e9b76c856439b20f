"""How to name a file option in a message: the CLI flag first, then the Python / grid key.

The same file options exist on the command line (``--text-column``), in a grid's dataset entries
(``text_column: ...``) and as arguments of :func:`~nlptransfer.data.load_dataset`
(``text_column=``). An error that says how to fix a read names all three, so it is right
whichever the user called.

Example:
    >>> hint("format", "tsv")
    "--format tsv (Python and grids: format='tsv')"
    >>> hint("header", False)
    '--no-header (Python and grids: header=False)'
    >>> hint("on_bad_rows", "warn")
    "--on-bad-rows warn (Python and grids: on_bad_rows='warn')"
    >>> hint("label_column")
    '--label-column (Python and grids: label_column=)'
"""

from __future__ import annotations


def flag(key: str) -> str:
    """The command-line flag of the Python / grid key ``key``.

    Example:
        >>> flag("text_column"), flag("label_names")
        ('--text-column', '--label-names')
    """
    return "--" + key.replace("_", "-")


def hint(key: str, value: object = None) -> str:
    """``key`` set to ``value``, as the CLI flag and as the Python / grid argument."""
    if value is None:
        return f"{flag(key)} (Python and grids: {key}=)"
    if isinstance(value, bool):
        cli = flag(key) if value else f"--no-{key.replace('_', '-')}"
        return f"{cli} (Python and grids: {key}={value})"
    if isinstance(value, str) and value.isupper():  # a placeholder: NAME, FORMAT
        return f"{flag(key)} {value} (Python and grids: {key}=)"
    return f"{flag(key)} {value} (Python and grids: {key}={value!r})"
