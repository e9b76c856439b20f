"""The word2vec binary format (``.bin``, ``.bin.gz``), as written by Mikolov's C tool and gensim.

A text header ``count dim\\n``, then per word: the word's UTF-8 bytes, a space, ``dim``
little-endian float32 values, and usually a newline. The file is read in large chunks; each row is
one slice of bytes, so memory follows the rows kept (``vocab=``/``limit=``), not the file.

Errors name the byte offset in the (decompressed) data where the problem starts.

Example:
    >>> import pathlib, tempfile, numpy as np
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.bin"
    >>> _ = write_word2vec_binary(p, ["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> read_word2vec_binary(p).words
    ['cat', 'dog']
"""

from __future__ import annotations

import re
from collections.abc import Collection, Generator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.files import atomic_output
from nlptransfer._util.progress import with_progress
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    WritableVectors,
    register_format,
)
from nlptransfer.vectors.formats.collector import Positions, RowCollector, check_unicode_policy
from nlptransfer.vectors.formats.compression import open_vectors_file, sniff_compression
from nlptransfer.vectors.formats.text import UTF8_BOM, parse_header

#: Bytes read at a time (on a worker thread, one chunk ahead): small chunks stay in cache, and
#: keep a ``vocab=`` load small (a few chunks are alive at once; 4 MiB ones cost 20 MiB more at
#: the same speed, measured).
_CHUNK = 1024 * 1024
#: A word longer than this means the reader has lost its place (wrong dim in the header).
MAX_WORD_BYTES = 10_000
#: The most bytes read at a time, whatever the header says (memory follows the data read).
_MAX_CHUNK = 64 * 1024 * 1024
#: For a compressed file (size unknown), room for at most this many bytes of rows is reserved
#: from the header's count; more rows still fit (the matrix grows as they arrive).
_RESERVE_BYTES = 256 * 1024 * 1024
#: A value this large is not a word vector's, nor a nonzero one this small (in 7.9 million values
#: of GoogleNews, the smallest nonzero is 1e-8): the reader has lost its place in the file (a
#: vector read from a few bytes too early or too late has random exponents).
IMPLAUSIBLE_VALUE = 1e15
IMPLAUSIBLY_SMALL = 1e-18
#: Control bytes never occur in a word (the C tool splits on them); after a misread they do.
_CONTROL = re.compile(rb"[\x00-\x1f]")


def read_word2vec_binary(
    path: str | Path,
    *,
    vocab: Collection[str] | None = None,
    limit: int | None = None,
    unicode_errors: str = "replace",
    member: str | None = None,
    progress: bool | None = None,
) -> ParsedVectors:
    """Read a word2vec binary file (plain or compressed).

    Args:
        path: the file.
        vocab: keep only these words, while streaming.
        limit: keep the first ``limit`` rows.
        unicode_errors: ``replace`` (default, as gensim), ``ignore``, ``skip`` or ``strict``.
        member: the member of a zip archive to read.
        progress: show a progress bar for large files.

    Raises:
        VectorsFormatError: bad header, truncated vector, or a header that disagrees with the data.
    """
    path = Path(path)
    check_unicode_policy(unicode_errors)
    with open_vectors_file(path, member) as raw_stream:
        stream = with_progress(raw_stream, path, progress)
        try:
            return _read(path, stream, vocab, limit, unicode_errors)
        finally:
            if stream is not raw_stream:
                stream.close()


def _read_header(path: Path, stream) -> tuple[int, int, bytes, int]:
    """Parse ``count dim\n``; returns count, dim, bytes read past it, and the header's length."""
    head = stream.readline(256)
    if not head:
        raise VectorsFormatError(
            path, "expected a header line 'count dim', found an empty file", offset=0
        )
    fields = head.split()
    try:
        if not head.endswith(b"\n") or len(fields) != 2:
            raise ValueError
        count, dim = int(fields[0]), int(fields[1])
        if count < 0 or dim <= 0:
            raise ValueError
    except ValueError:
        bom = (
            " (a UTF-8 byte-order mark, as text editors write, which a binary file never has)"
            if head.startswith(UTF8_BOM)
            else ""
        )
        raise VectorsFormatError(
            path, f"expected a header line 'count dim', found {head[:60]!r}{bom}", offset=0
        ) from None
    return count, dim, b"", len(head)


def _check_header_fits(path: Path, count: int, dim: int, available: int) -> None:
    """Refuse a header whose rows cannot fit in the bytes after it (each row is at least a
    space and ``4 * dim`` bytes), before any memory is set aside for them."""
    if count * (4 * dim + 1) > available:
        raise VectorsFormatError(
            path,
            f"the header says {count} words of dimension {dim}, which needs at least "
            f"{count * (4 * dim + 1)} bytes, but the file has {available} bytes after the "
            "header: the header's count or dimension disagrees with the data, or the file is "
            "truncated",
            offset=0,
        )


def _read(path, stream, vocab, limit, unicode_errors) -> ParsedVectors:
    count, dim, buffer, header_length = _read_header(path, stream)
    record = 4 * dim
    if sniff_compression(path) is None:
        _check_header_fits(path, count, dim, path.stat().st_size - header_length)
        expected = count  # an upper bound on the rows kept, so the matrix is allocated once
    else:  # the size is unknown: reserve a bounded room, and grow as rows arrive
        expected = min(count, max(1, _RESERVE_BYTES // record))
    for bound in (limit, None if vocab is None else len(vocab)):
        if bound is not None:
            expected = min(expected, bound)
    rows = RowCollector(
        path,
        dim,
        vocab=vocab,
        limit=limit,
        unicode_errors=unicode_errors,
        location="offset",
        expected_rows=expected,
    )
    # One row: the newlines that end the previous row, the word (no space, at most
    # MAX_WORD_BYTES), a space, the vector (skipped: its place is computed from the lengths);
    # or else, where no row starts, all the rest (so the search stops there instead of skipping
    # ahead). ``split`` cuts a chunk into rows in C. A word holds no control byte: where one is,
    # the pattern stops and the step below reports.
    row_pattern = (
        re.compile(
            rb"(\n*+)([^ \x00-\x1f]{0,%d}) (?:.{%d})|(.+)" % (MAX_WORD_BYTES, record), re.DOTALL
        )
        if record < _MAX_CHUNK
        else None
    )
    # Enough for _check_first_rows to see 4 rows.
    chunk = min(max(_CHUNK, 4 * (record + 200)), _MAX_CHUNK)
    base = header_length  # offset in the file of buffer[0]
    found = 0
    eof = False
    newline_rows = False  # whether rows end with a newline, as the C tool and gensim write them
    after_row = False  # whether the last thing read was a vector (so a newline may follow)
    chunks = _read_ahead(stream, chunk)
    try:
        while found < count and not rows.done:
            if not eof:
                more = next(chunks)
                eof = not more
                buffer = buffer + more if buffer else more
            end = len(buffer)
            want = min(count - found, len(buffer) // (record + 1) + 1)
            remaining = rows.remaining()
            if remaining is not None:
                want = min(want, remaining)
            if found == 0:
                _check_first_rows(path, buffer, dim, base)
            # The rows that follow each other from the start of the chunk, found by the pattern...
            newlines, words = _split_rows(row_pattern, buffer, want)
            if words:
                if 0 <= 1 - found < len(words) and newlines[1 - found]:
                    newline_rows = True  # the first row of the file ends with a newline
                if newline_rows:  # then so must every row after a row: stop at the first without
                    try:
                        out_of_step = newlines.index(b"", 0 if after_row else 1)
                    except ValueError:
                        out_of_step = -1
                    if out_of_step >= 0:
                        newlines = newlines[:out_of_step]
                        words = words[:out_of_step]
                if words:
                    after_row = True
            offsets = _Offsets(newlines, words, record)
            pos = offsets.end
            # ...then, one step at a time as before, what the pattern stopped at: the end of the
            # chunk (carried over to the next), or a row out of step, truncated or malformed.
            find = buffer.find
            add_word = words.append
            add_offset = offsets.append
            record_end = record + 1
            while len(words) < want:
                if pos < end and buffer[pos] == 10:  # the newline that ends the previous row
                    pos += 1
                    if found + len(words) == 1:
                        newline_rows = True
                    after_row = False
                    continue
                if after_row and newline_rows and pos < end:
                    # Every earlier row ended with a newline and this one does not: out of step.
                    _raise_out_of_step(path, buffer, pos, base, dim)
                space = find(b" ", pos, pos + MAX_WORD_BYTES + 1)
                if space < 0 or space + record_end > end:
                    if eof or (space < 0 and end - pos > MAX_WORD_BYTES):
                        _raise_incomplete(
                            path,
                            buffer,
                            pos,
                            space,
                            end,
                            base,
                            record,
                            count,
                            found + len(words),
                            eof,
                        )
                    break
                if _CONTROL.search(buffer, pos, space):
                    previous = (offsets[len(words) - 1], words[-1]) if words else None
                    _raise_control_byte(path, buffer, pos, space, base, record, previous)
                add_word(buffer[pos:space])
                add_offset(pos)
                pos = space + record_end
                after_row = True
            if words:
                # The vectors, copied from the chunk straight into the matrix being built (or,
                # where rows are filtered, into a batch the collector picks from).
                batch = rows.reserve(len(words))
                if batch is None:
                    batch = np.empty((len(words), dim), dtype=np.float32)
                copy_records(buffer, offsets.vectors(), batch)
                _check_values(path, buffer, batch, words, offsets, base, record)
                rows.add(words, batch, _Shifted(base, offsets))
                del batch  # a view into the matrix, which may move when it grows
                found += len(words)
            buffer = buffer[pos:]
            base += pos
            if eof and not words:
                break
        if found == count and not rows.done:
            rest = buffer + (b"" if eof else next(chunks))
            if rest.strip():
                raise VectorsFormatError(
                    path,
                    f"expected the file to end after the header's {count} words of dimension "
                    f"{dim}, found {len(rest)}+ more bytes: the header's count or dimension "
                    "disagrees with the data",
                    offset=base,
                )
    finally:
        chunks.close()
    return rows.finish({"header_count": count, "dim": dim})


def _read_ahead(stream, size: int) -> Generator[bytes, None, None]:
    """The stream's chunks of ``size`` bytes (``b""`` at the end, and after it), each read on a
    worker thread while the caller works on the one before (reading and decompressing release
    the GIL, so they run on another core)."""
    with ThreadPoolExecutor(1, thread_name_prefix="nlptransfer-w2v") as pool:
        pending = pool.submit(stream.read, size)
        try:
            while True:
                data = pending.result()
                if data:
                    pending = pool.submit(stream.read, size)
                yield data
        finally:
            pending.cancel()
            if not pending.cancelled():
                pending.exception()  # waits: the stream is not read once the caller closes it


def copy_records(buffer: bytes, starts: np.ndarray, out: np.ndarray) -> None:
    """Copy the fixed-size records at byte offsets ``starts`` of ``buffer`` into the rows of
    ``out`` (C-contiguous, ``[len(starts), ...]``), in one vectorised gather.

    The buffer is seen as overlapping windows of one record each (a strided view, no copy), and
    the windows at ``starts`` are gathered into ``out``'s bytes: whatever the alignment of each
    record, without a Python step per row.

    Example:
        >>> out = np.empty((2, 1), np.float32)
        >>> raw = b"a " + np.float32(1.5).tobytes() + b"\\nbc " + np.float32(-2).tobytes()
        >>> copy_records(raw, np.array([2, 10]), out)
        >>> out.ravel().tolist()
        [1.5, -2.0]
    """
    size = out[0].nbytes if len(out) else 0
    if not len(starts) or not size:
        return
    data = np.frombuffer(buffer, dtype=np.uint8)
    windows = as_strided(data, shape=(len(data) - size + 1, size), strides=(1, 1), writeable=False)
    out.view(np.uint8).reshape(len(out), size)[:] = windows[starts]


def _next_row(buffer: bytes, start: int, dim: int) -> int | None:
    """Where the row after the one at ``start`` begins, if the row reads as a plausible word
    (UTF-8, no control bytes) followed by ``dim`` values and an optional newline."""
    space = buffer.find(b" ", start, start + 200)
    end = space + 1 + 4 * dim
    if space <= start or end > len(buffer):
        return None
    try:
        word = buffer[start:space].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 for ch in word):
        return None
    return end + 1 if end < len(buffer) and buffer[end] == 10 else end


def _plausible(buffer: bytes, dim: int, rows: int = 4) -> bool:
    position = 0
    for _ in range(rows):
        after = _next_row(buffer, position, dim)
        if after is None:
            return False
        if after >= len(buffer):
            return True
        position = after
    return True


def _check_first_rows(path: Path, buffer: bytes, dim: int, base: int) -> None:
    """Catch a header whose dimension disagrees with the rows, before reading out of step.

    With the header's ``dim``, the first rows must read as words followed by vectors; if they
    do not, but do with another dimension, say which.
    """
    if len(buffer) < 4 * (4 * dim + 200) or _plausible(buffer, dim):
        return
    position = 0  # first, is it a word with a space (as gensim writes them) that misleads?
    for _ in range(4):
        space = buffer.find(b" ", position, position + 200)
        spaced = None if space < 0 else _spaced_word(buffer, position, space, 4 * dim)
        after_spaced = position + len(spaced or b"") + 1 + 4 * dim
        if spaced is not None and _plausible(buffer[after_spaced:].lstrip(b"\n"), dim, rows=3):
            _raise_spaced_word(path, spaced, base + position)
        after = _next_row(buffer, position, dim)
        if after is None or after >= len(buffer):
            break
        position = after
    for other in range(1, 4 * dim + 1):
        if other != dim and _plausible(buffer, other):
            raise VectorsFormatError(
                path,
                f"the header says dimension {dim}, but the first rows read as words with "
                f"{other} values each: the header's dimension disagrees with the data",
                offset=base,
            )


def _raise_out_of_step(path, buffer, pos, base, dim):
    raise VectorsFormatError(
        path,
        f"expected a newline after the {4 * dim} bytes of the previous vector (the first row "
        f"has one), found {buffer[pos : pos + 20]!r}: the header's dimension disagrees with "
        "the data, or the file is corrupt",
        offset=base + pos,
    )


#: The same bounds as float32 bit patterns (sign cleared), so a batch is checked in a few passes.
_BIG_BITS = int(np.array(IMPLAUSIBLE_VALUE, np.float32).view(np.uint32))
_SMALL_BITS = int(np.array(IMPLAUSIBLY_SMALL, np.float32).view(np.uint32))
_INF_BITS = 0x7F800000


def _implausible(matrix: np.ndarray) -> np.ndarray | None:
    """Which rows hold finite values no word vector does (see :data:`IMPLAUSIBLE_VALUE`);
    ``None`` if none do (the common case, found without a per-row pass)."""
    bits = matrix.view(np.uint32) & np.uint32(0x7FFFFFFF)
    if bits.size == 0:
        return None
    if bits.max() < _BIG_BITS:
        bits -= np.uint32(1)  # zero wraps round to the largest value
        if bits.min() >= _SMALL_BITS - 1:
            return None
        bits += np.uint32(1)
    rows = ((bits >= _BIG_BITS) & (bits < _INF_BITS)) | ((bits > 0) & (bits < _SMALL_BITS))
    implausible = np.asarray(rows.any(axis=1))
    return implausible if implausible.any() else None


def _check_values(path, buffer, matrix, words, offsets, base, record) -> None:
    """Refuse a batch whose rows show that the reader has lost its place: a vector with
    implausible values, or a word that is not UTF-8 after a row that reads as a word with a
    space (as gensim writes them)."""
    implausible = _implausible(matrix)
    if implausible is not None:
        i = int(np.flatnonzero(implausible)[0])
        start = offsets[i]
        spaced = _spaced_word(buffer, start, start + len(words[i]), record)
        if spaced is not None:
            _raise_spaced_word(path, spaced, base + start)
        row = matrix[i][np.isfinite(matrix[i])]
        raise VectorsFormatError(
            path,
            f"expected a word vector after {words[i][:60]!r}, found values from "
            f"{np.abs(row).min():.3g} to {np.abs(row).max():.3g} in magnitude (no word vector "
            "holds such): the reader has lost its place in the file (bytes inserted or missing "
            "before it, or a header that disagrees with the data)",
            offset=base + start,
        )
    try:
        b"\n".join(words).decode("utf-8")
    except UnicodeDecodeError:
        for i in range(1, len(words)):
            try:
                words[i].decode("utf-8")
            except UnicodeDecodeError:
                start = offsets[i - 1]
                spaced = _spaced_word(buffer, start, start + len(words[i - 1]), record)
                if spaced is not None:
                    _raise_spaced_word(path, spaced, base + start)


def _raise_control_byte(path, buffer, pos, space, base, record, previous) -> None:
    if previous is not None:
        spaced = _spaced_word(buffer, previous[0], previous[0] + len(previous[1]), record)
        if spaced is not None:
            _raise_spaced_word(path, spaced, base + previous[0])
    raise VectorsFormatError(
        path,
        f"expected a word, found {buffer[pos:space][:60]!r}, which holds a control byte: the "
        "reader has lost its place in the file (bytes inserted or missing before it, or a "
        "header that disagrees with the data)",
        offset=base + pos,
    )


def _raise_spaced_word(path: Path, word: bytes, offset: int) -> None:
    raise VectorsFormatError(
        path,
        f"expected a word without spaces, found {word[:60]!r}, which contains a space: gensim "
        "writes such keys, but word2vec's binary format cannot hold them (a reader cannot tell "
        "where the word ends); save these vectors in the native store instead",
        offset=offset,
    )


def _spaced_word(buffer: bytes, start: int, space: int, record: int) -> bytes | None:
    """The row at ``start`` read as a word that goes on past the space at ``space`` (text, no
    control bytes) followed by a plausible vector; ``None`` if it does not read so."""
    stop = min(space + 1 + 200, len(buffer))
    following = buffer.find(b" ", space + 1, stop)
    while following >= 0:
        word = buffer[start:following]
        try:
            word.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if _CONTROL.search(word):
            return None
        vector = buffer[following + 1 : following + 1 + record]
        if len(vector) < record:
            return None
        values = np.frombuffer(vector, dtype="<f4").reshape(1, -1)
        if np.isfinite(values).all() and _implausible(values) is None:
            return word
        following = buffer.find(b" ", following + 1, stop)
    return None


def _split_rows(
    row_pattern: re.Pattern[bytes] | None, buffer: bytes, want: int
) -> tuple[list[bytes], list[bytes]]:
    """The (newlines before, word) of the rows at the start of ``buffer``, at most ``want``, up
    to the first place where no complete row starts."""
    if want <= 0 or row_pattern is None:
        return [], []
    parts = row_pattern.split(buffer, maxsplit=want)
    # [b"", newlines, word, None, b"", ..., b"", None, None, rest, b""]
    n = (len(parts) - 1) // 4
    if n and parts[4 * n - 1] is not None:  # the last match is the rest, not a row
        n -= 1
    return parts[1 : 4 * n : 4], parts[2 : 4 * n : 4]


class _Offsets:
    """Where each row's word and vector start in the chunk: computed from the lengths of the rows
    before it (each row is its newlines, its word, a space and its vector)."""

    def __init__(self, newlines: list[bytes], words: list[bytes], record: int) -> None:
        self.words = words  # the reader appends the rows it finds one step at a time to this list
        self.rows = len(newlines)  # the pattern's rows, at the start of ``words``
        self.record = record
        self.extra: list[int] = []  # rows found one step at a time, after the pattern's
        newline_lengths = np.fromiter(map(len, newlines), np.int64, self.rows)
        self._word_lengths = np.fromiter(map(len, words), np.int64, self.rows)
        self._vectors = np.cumsum(newline_lengths + self._word_lengths + (record + 1)) - record
        self._starts: list[int] | None = None
        #: Where the last row ends.
        self.end = int(self._vectors[-1]) + record if self.rows else 0

    def append(self, offset: int) -> None:
        self.extra.append(offset)

    def vectors(self) -> np.ndarray:
        """Where each row's vector starts."""
        if not self.extra:
            return self._vectors
        extra = np.array(self.extra, np.int64)
        lengths = np.fromiter(map(len, self.words[self.rows :]), np.int64, len(self.extra))
        return np.concatenate([self._vectors, extra + lengths + 1])

    def __getitem__(self, i: int) -> int:
        if i >= self.rows:
            return self.extra[i - self.rows]
        if self._starts is None:
            self._starts = (self._vectors - 1 - self._word_lengths).tolist()
        return self._starts[i]

    def __len__(self) -> int:
        return self.rows + len(self.extra)


class _Shifted:
    """Byte offsets within a chunk, shifted to file offsets only when one is asked for."""

    def __init__(self, base: int, offsets: Positions) -> None:
        self.base = base
        self.offsets = offsets

    def __getitem__(self, i: int) -> int:
        return self.base + self.offsets[i]

    def __len__(self) -> int:
        return len(self.offsets)


def _raise_incomplete(path, buffer, pos, space, end, base, record, count, found, eof):
    if space < 0:
        if pos >= end and eof:
            message = (
                f"the header says {count} words, but the file ends after {found}: the header's "
                "count or dimension disagrees with the data, or the file is truncated"
            )
        else:
            message = (
                f"expected a word followed by a space, found {buffer[pos : pos + 40]!r} "
                + (
                    f"and no space in {MAX_WORD_BYTES} bytes"
                    if end - pos > MAX_WORD_BYTES
                    else "then the end of the file"
                )
                + ": the file is truncated, or the header's dimension disagrees with the data"
            )
    else:
        word = buffer[pos:space][:60]
        message = (
            f"expected {record} bytes for the vector of {word!r}, found "
            f"{end - space - 1}: the file is truncated"
        )
    raise VectorsFormatError(path, message, offset=base + pos)


def write_word2vec_binary(path: str | Path, words: list[str], matrix: np.ndarray) -> Path:
    """Write vectors in word2vec binary format (readable by gensim and the C tools), atomically.

    Example:
        >>> import pathlib, tempfile, numpy as np
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.bin"
        >>> write_word2vec_binary(p, ["hi"], np.ones((1, 3), np.float32)).stat().st_size
        20
    """
    path = Path(path)
    matrix = np.ascontiguousarray(matrix, dtype="<f4")
    for word in words:
        if not word or " " in word or "\n" in word:
            raise ValueError(
                f"cannot write the word {word!r} in word2vec binary format: words cannot be empty "
                "or contain spaces or line breaks; use the native store"
            )
    with atomic_output(path) as tmp, open(tmp, "wb") as f:
        f.write(f"{matrix.shape[0]} {matrix.shape[1]}\n".encode())
        for word, row in zip(words, matrix, strict=True):
            f.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
    return path


def _read_format(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_word2vec_binary(
        path,
        vocab=options.vocab,
        limit=options.limit,
        unicode_errors=options.unicode_errors,
        member=options.member,
        progress=options.progress,
    )


def _write_format(vectors: WritableVectors, path: Path) -> Path:
    return write_word2vec_binary(path, vectors.words, vectors.matrix)


WORD2VEC_BINARY = register_format(
    VectorFormat(
        "word2vec-bin",
        "word2vec binary",
        read=_read_format,
        # Any ``count dim`` header: asked after word2vec text, which claims those with text rows.
        sniff=lambda head, path: parse_header(head.partition(b"\n")[0]) is not None,
        write=_write_format,
        aliases=("word2vec", "word2vec-binary", "bin", "w2v"),
        suffix=".bin",
        sniff_order=40,
    )
)
