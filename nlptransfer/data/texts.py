"""The texts of a data file, labels left aside: one text a line, or a labelled file's texts.

For what needs only the words of some data (vector coverage, predictions): a plain file with one
text a line, or any file :func:`~nlptransfer.data.readers.read_split` reads, of which only the
text column is kept.

Formats (``format=`` names; otherwise detected):

- ``lines``: one text a line; blank lines are skipped.
- ``kim``, ``csv``, ``tsv``, ``jsonl``, ``parquet``: as :mod:`nlptransfer.data.readers` reads them.

Detection takes the format an extension names as the readers do (``.csv``, ``.tsv``, ``.jsonl``,
``.parquet``, ...; a compression suffix is ignored), except that a ``.txt`` or ``.all`` file is
not taken for Kim's ``LABEL TEXT`` format by its name alone: a file whose first non-blank line is
``LABEL TEXT`` (:data:`~nlptransfer.data.readers.KIM_LINE`) is ``kim``, any other is ``lines``.
Lines are decoded as UTF-8 with a Latin-1 fallback (:mod:`nlptransfer.data.encoding`).

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "notes.txt").write_text("a fine film\\n\\nno plot, no point\\n")
    >>> read_texts(folder / "notes.txt")
    ['a fine film', 'no plot, no point']
    >>> _ = (folder / "rt.txt").write_text("1 a fine film\\n0 no plot\\n")
    >>> detect_text_format(folder / "rt.txt"), read_texts(folder / "rt.txt")
    ('kim', ['a fine film', 'no plot'])
"""

from __future__ import annotations

from pathlib import Path

from nlptransfer._util.errors import DatasetError
from nlptransfer.data.encoding import decode_lines, read_bytes
from nlptransfer.data.readers import FILE_FORMATS, KIM_LINE, format_from_name, read_split

#: The formats :func:`read_texts` reads: one text a line, or a labelled file's text column.
TEXT_FORMATS = ("lines", *FILE_FORMATS)


def detect_text_format(path: str | Path) -> str:
    """``path``'s format among :data:`TEXT_FORMATS`: by extension, else ``kim`` or ``lines``.

    Example:
        >>> detect_text_format("reviews.csv.gz")
        'csv'
    """
    by_name = format_from_name(path)
    if by_name is not None and by_name != "kim":
        return by_name
    head = read_bytes(path, 65536).decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next((line for line in head.splitlines() if line.strip()), "")
    return "kim" if KIM_LINE.match(first) else "lines"


def read_texts(
    path: str | Path, format: str | None = None, *, text_column: str | None = None
) -> list[str]:
    """The texts of a data file, in file order (see the module's description of formats).

    Args:
        path: the file (text formats may be gzip, bzip2 or xz compressed).
        format: one of :data:`TEXT_FORMATS`; detected when ``None``.
        text_column: the text column of a CSV, TSV, JSON lines or Parquet file (guessed when
            ``None``).

    Raises:
        FileNotFoundError: no file at ``path``.
        DatasetError: an unknown format, a file the readers refuse, or a file with no text.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: expected a data file, found no such file")
    format = format or detect_text_format(path)
    if format not in TEXT_FORMATS:
        raise DatasetError(
            f"{path}: unknown format {format!r}; expected one of {', '.join(TEXT_FORMATS)}"
        )
    if format == "lines":
        lines, _ = decode_lines(read_bytes(path), path)
        binary = next((n for n, line in enumerate(lines, 1) if "\x00" in line), None)
        if binary is not None:
            raise DatasetError(
                f"{path}, line {binary}: expected text (one a line), found binary data "
                "(a NUL byte); is this the right file?"
            )
        texts = [line.rstrip("\r\n") for line in lines if line.strip()]
    else:
        texts = list(read_split(path, format=format, text_column=text_column).texts)
    if not texts:
        raise DatasetError(f"{path}: expected at least one text ({format} format), found none")
    return texts
