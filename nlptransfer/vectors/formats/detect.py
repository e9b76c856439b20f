"""Telling vectors formats apart by their content (magic bytes, header), not their file names.

Each registered :class:`~nlptransfer.vectors.formats.base.VectorFormat` recognises its own files
(its ``sniff``); they are asked in ``sniff_order`` and the first that says yes names the format.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "vectors.dat"
    >>> _ = p.write_text("2 3\\ncat 1 2 3\\ndog 4 5 6\\n")
    >>> detect_format(p)
    'word2vec-text'
"""

from __future__ import annotations

from pathlib import Path

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer.vectors.formats.base import sniffing_order
from nlptransfer.vectors.formats.compression import open_vectors_file

#: How much of a file (decompressed) each format's ``sniff`` sees.
SNIFF_BYTES = 64 * 1024


def detect_format(path: str | Path, member: str | None = None) -> str:
    """Return the canonical format name of the vectors at ``path``, from its content.

    Args:
        path: a file (plain or compressed) or a folder.
        member: the member of a ``.zip`` archive to look at.

    Raises:
        VectorsFormatError: the content matches no known format (the message shows its start).
    """
    path = Path(path)
    if path.is_dir():
        folders = sniffing_order(folder=True)
        for fmt in folders:
            if fmt.sniff is not None and fmt.sniff(b"", path):
                return fmt.name
        expected = " or a ".join(fmt.description for fmt in folders)
        raise VectorsFormatError(path, f"expected a {expected}, found a folder that is not one")
    with open_vectors_file(path, member) as stream:
        head = stream.read(SNIFF_BYTES)
    if not head:
        raise VectorsFormatError(path, "expected vectors, found an empty file", offset=0)
    files = sniffing_order(folder=False)
    for fmt in files:
        if fmt.sniff is not None and fmt.sniff(head, path):
            return fmt.name
    known = [fmt.description for fmt in files] + [
        fmt.description for fmt in sniffing_order(folder=True)
    ]
    raise VectorsFormatError(
        path,
        f"expected a known vectors format ({', '.join(known)}), "
        f"found content starting {head[:60]!r}",
        offset=0,
    )
