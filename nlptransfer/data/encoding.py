"""Reading text files of unknown encoding: UTF-8, line by line falling back to Latin-1.

Dataset files in the wild mix encodings, sometimes inside one file: in the sentence suite of Kim
(2014) the SST files are UTF-8 while MR, Subj and TREC's training file are Latin-1 as written by
Windows tools. Each line is decoded as UTF-8 where it is valid; any other line falls back to the
Latin-1 family, and a warning names the file, how many lines and the first of them.

The fallback is Windows-1252 first, then ISO Latin-1: the two agree on every byte except
0x80-0x9F, which Latin-1 decodes to invisible C1 control characters while Windows-1252 has the
punctuation such files actually hold there (0x85 ``…``, 0x91-0x94 quotes, 0x96/0x97 dashes). Those
control characters would even be taken for whitespace and line breaks by ``str.split`` and
``str.splitlines``. A line with one of the five bytes Windows-1252 leaves undefined is decoded as
ISO Latin-1, which maps every byte.

Lines end at ``\\n`` only (a ``\\r`` before it stays, for CSV readers to handle).

Example:
    >>> lines, note = decode_lines(b"0 caf\\xc3\\xa9 ok\\n1 caf\\xe9 \\x85 ok\\n", "demo.txt")
    >>> lines
    ['0 café ok\\n', '1 café … ok\\n']
    >>> note
    'not UTF-8 on 1 of 2 lines (first: 2), decoded as Windows-1252'
"""

from __future__ import annotations

import bz2
import gzip
import logging
import lzma
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import DatasetError

logger = logging.getLogger(__name__)

#: Tried in order for lines that are not UTF-8.
FALLBACK_ENCODINGS = ("cp1252", "latin-1")

_NAMES = {"cp1252": "Windows-1252", "latin-1": "ISO Latin-1"}
_SHOWN_LINES = 5


def _opener(path: str | Path) -> Callable[..., Any]:
    """The ``open`` that reads ``path``'s content: gzip, bzip2, xz (by magic bytes) or plain."""
    with open(path, "rb") as handle:
        head = handle.read(6)
    if head.startswith(b"\x1f\x8b"):
        return gzip.open
    if head.startswith(b"BZh"):
        return bz2.open
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.open
    return open


def read_bytes(path: str | Path, limit: int = -1) -> bytes:
    """The content of ``path`` (``limit`` bytes at most), decompressed if gzip, bzip2 or xz.

    Raises:
        DatasetError: the compressed data is truncated or corrupt; the message names the file
            and the byte offset its decompressor had reached.
    """
    opener = _opener(path)
    with open(path, "rb") as raw, raw if opener is open else opener(raw, "rb") as handle:
        try:
            return handle.read(limit)
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as error:
            if opener is open:
                raise
            raise DatasetError(
                f"{path}, byte offset {raw.tell()}: expected complete compressed data, found a "
                f"truncated or corrupt file ({error})"
            ) from error


def split_lines(data: bytes) -> list[bytes]:
    """Split at ``\\n`` keeping the ends; no empty piece after a final newline."""
    lines = data.split(b"\n")
    ends = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        ends.append(lines[-1])
    return ends


def decode_lines(
    data: bytes, path: str | Path, encoding: str | None = None
) -> tuple[list[str], str | None]:
    """Decode ``data`` line by line; return the lines and a note on any fallback used.

    Args:
        data: the file's bytes (already decompressed).
        path: the file's name, for messages.
        encoding: decode every line with this codec instead (strict: a line it cannot decode is
            an error naming the line).

    Returns:
        The decoded lines with their ``\\n`` kept, and ``None`` when every line was UTF-8 (or
        ``encoding`` was given), else a note such as ``"not UTF-8 on 3 of 90 lines (first: 4, 7,
        9), decoded as Windows-1252"``, which is also logged as a warning naming the file.

    Raises:
        UnicodeDecodeError: ``encoding`` was given and a line does not decode; the message names
            the file and line.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if encoding is not None:
        numbered = enumerate(split_lines(data), 1)
        return [_decode_strict(line, encoding, path, n) for n, line in numbered], None
    try:  # fast path: the whole file is UTF-8
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        pieces = text.split("\n")
        whole = [piece + "\n" for piece in pieces[:-1]]
        return ([*whole, pieces[-1]] if pieces[-1] else whole), None
    raw_lines = split_lines(data)
    lines: list[str] = []
    fallback_lines: list[int] = []
    used: list[str] = []
    for number, line in enumerate(raw_lines, 1):
        try:
            lines.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            fallback_lines.append(number)
        for codec in FALLBACK_ENCODINGS:
            try:
                lines.append(line.decode(codec))
            except UnicodeDecodeError:
                continue
            if codec not in used:
                used.append(codec)
            break
    first = ", ".join(str(n) for n in fallback_lines[:_SHOWN_LINES])
    more = ", ..." if len(fallback_lines) > _SHOWN_LINES else ""
    note = (
        f"not UTF-8 on {len(fallback_lines)} of {len(raw_lines)} lines (first: {first}{more}), "
        f"decoded as {' or '.join(_NAMES[c] for c in used)}"
    )
    logger.warning("%s: %s", path, note)
    return lines, note


def _decode_strict(line: bytes, encoding: str, path: str | Path, number: int) -> str:
    try:
        return line.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnicodeDecodeError(
            error.encoding,
            error.object,
            error.start,
            error.end,
            f"{path}, line {number}: {error.reason} (expected {encoding})",
        ) from None
