"""A forward-only little-endian byte reader for fastText's binary model files.

:class:`BinaryReader` reads fixed-size structs, NUL-terminated strings and numpy arrays from a
(possibly compressed) stream, tracks the byte offset, and builds a
:class:`~nlptransfer._util.errors.VectorsFormatError` that names it. It knows nothing of the
model's sections; :mod:`~nlptransfer.vectors.formats.fasttext_binary` and
:mod:`~nlptransfer.vectors.formats.fasttext_quantized` read those with it.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nlptransfer._util.errors import VectorsFormatError

_READ_CHUNK = 1 << 20


class BinaryReader:
    """A forward-only byte reader over a stream that knows its offset and fails with one."""

    def __init__(self, stream: BinaryIO, path: Path) -> None:
        self._stream = stream
        self.path = path
        self._buf = b""
        self._pos = 0
        self._base = 0  # file offset of self._buf[0]
        self._eof = False
        # The file size, when the stream is a plain file: lets a corrupt header that asks for
        # more bytes than exist fail before a huge allocation.
        self._size: int | None = None
        if isinstance(stream, io.BufferedReader):
            with contextlib.suppress(OSError):
                self._size = os.fstat(stream.fileno()).st_size

    @property
    def offset(self) -> int:
        return self._base + self._pos

    def error(self, message: str, offset: int | None = None) -> VectorsFormatError:
        return VectorsFormatError(
            self.path, message, offset=self.offset if offset is None else offset
        )

    def _more(self, at_least: int = 1) -> bool:
        """Append at least ``at_least`` more bytes to the buffer; False at end of file."""
        if self._eof:
            return False
        self._base += self._pos
        pieces = [self._buf[self._pos :]]
        got = 0
        while got < at_least:
            data = self._stream.read(max(_READ_CHUNK, at_least - got))
            if not data:
                self._eof = True
                break
            pieces.append(data)
            got += len(data)
        self._buf = b"".join(pieces)
        self._pos = 0
        return got > 0

    def read(self, n: int, what: str) -> bytes:
        while len(self._buf) - self._pos < n:
            if not self._more(n - (len(self._buf) - self._pos)):
                found = len(self._buf) - self._pos
                raise self.error(
                    f"expected {n} bytes for {what}, found {found} (the file is truncated)"
                )
        data = self._buf[self._pos : self._pos + n]
        self._pos += n
        return data

    def unpack(self, fmt: struct.Struct, what: str) -> tuple[Any, ...]:
        return fmt.unpack(self.read(fmt.size, what))

    def read_cstring(self, what: str) -> bytes:
        start = self._pos
        while True:
            end = self._buf.find(b"\0", start)
            if end >= 0:
                data = self._buf[self._pos : end]
                self._pos = end + 1
                return data
            start = len(self._buf) - self._pos  # relative to the new buffer after _more
            if not self._more():
                found = len(self._buf) - self._pos
                raise self.error(
                    f"expected a NUL-terminated {what}, found end of file after {found} bytes "
                    "(the file is truncated)"
                )

    def skip(self, n: int, what: str) -> None:
        """Step over ``n`` bytes that must exist (read in chunks, never held whole)."""
        start = self.offset
        if self._size is not None and start + n > self._size:
            raise self.error(
                f"expected {n} bytes for {what}, found {self._size - start} "
                "(the file is truncated)",
                offset=start,
            )
        if self._size is not None and n > len(self._buf) - self._pos:
            # A plain file: seek past what is not buffered instead of reading it.
            self._stream.seek(start + n)
            self._buf, self._pos, self._base = b"", 0, start + n
            return
        left = n
        while left > 0:
            step = min(left, _READ_CHUNK)
            try:
                self.read(step, what)
            except VectorsFormatError:
                raise self.error(
                    f"expected {n} bytes for {what}, found {n - left + len(self._buf) - self._pos}"
                    " (the file is truncated)",
                    offset=start,
                ) from None
            left -= step

    def expect_end(self, after: str) -> None:
        """Fail unless the file ends here, as fastText's format says it does."""
        start = self.offset
        if len(self._buf) - self._pos > 0 or self._more():
            extra = len(self._buf) - self._pos
            if self._size is not None:
                extra = self._size - start
            raise self.error(
                f"expected the end of the file after {after}, found {extra}"
                f"{'' if self._size is not None else '+'} more bytes (junk appended, or a "
                "corrupt or shifted section before)",
                offset=start,
            )

    def read_array(self, dtype: str, count: int, what: str) -> np.ndarray:
        """Read ``count`` items of little-endian ``dtype`` straight into a new array."""
        dt = np.dtype(dtype)
        start = self.offset
        nbytes = count * dt.itemsize
        if self._size is not None and start + nbytes > self._size:
            raise self.error(
                f"expected {nbytes} bytes for {what} ({count} x {dt.name}), found "
                f"{self._size - start} (the file is truncated)"
            )
        try:
            out = np.empty(count, dtype=dt)
        except (MemoryError, ValueError) as exc:
            raise self.error(
                f"expected {what} of {count} x {dt.name} that fits in memory, found a size "
                f"that cannot be allocated ({exc}); the header is probably corrupt"
            ) from exc
        view = out.data.cast("B")
        buffered = len(self._buf) - self._pos
        if nbytes <= buffered:
            view[:] = self._buf[self._pos : self._pos + nbytes]
            self._pos += nbytes
            return out
        view[:buffered] = self._buf[self._pos :]
        stream_offset = self._base + len(self._buf)  # where the stream stands
        self._buf, self._pos = b"", 0
        filled = buffered
        while filled < nbytes and not self._eof:
            # typing.BinaryIO declares no readinto, but every stream open_vectors_file yields
            # (io.BufferedReader, GzipFile, BZ2File, ZipExtFile) is an io.BufferedIOBase with it
            got = self._stream.readinto(view[filled:])  # type: ignore[attr-defined]
            if not got:
                self._eof = True
                break
            filled += got
        self._base = stream_offset + (filled - buffered)
        if filled < nbytes:
            raise self.error(
                f"expected {nbytes} bytes for {what} ({count} x {dt.name}), found {filled} "
                "(the file is truncated)",
                offset=start,
            )
        return out
