"""Progress bars for reading large files: bytes read of the file on disk, with speed and ETA."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import BinaryIO

from tqdm.auto import tqdm

#: Files smaller than this load fast enough that a bar would only flicker.
PROGRESS_MIN_BYTES = 64 * 1024 * 1024


def progress_enabled(requested: bool | None) -> bool:
    """Resolve ``progress=None`` (the default) to whether bars are drawn.

    An explicit ``True`` or ``False`` wins. Otherwise bars are drawn where someone watches them (a
    terminal on stderr, or a Jupyter kernel) unless ``NLPTRANSFER_QUIET`` is set; in a log file or
    CI output a bar would only add a line per refresh, and long work logs its steps instead.

    Example:
        >>> progress_enabled(False), progress_enabled(True)
        (False, True)
    """
    if requested is not None:
        return requested
    if os.environ.get("NLPTRANSFER_QUIET", "") not in ("", "0"):
        return False
    return _watched()


def _watched() -> bool:
    """Whether stderr is a terminal or the process is a Jupyter kernel (tqdm.auto draws widgets)."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):  # a replaced or closed stream
        pass
    return "ipykernel" in sys.modules


class ProgressReader(io.RawIOBase):
    """Wraps a binary stream; advances a tqdm bar by the bytes consumed of the file on disk.

    ``position`` reports how far into the file on disk the stream has read, which for a
    compressed file is the compressed offset, so the bar's total is the file's size either way.
    """

    def __init__(
        self, stream: BinaryIO, total: int, position: Callable[[], int], description: str
    ) -> None:
        super().__init__()
        self._stream = stream
        self._position = position
        self._bar = tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=description, leave=False
        )

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._bar.update(max(self._position() - self._bar.n, 0))
        return data

    # Narrower than io.RawIOBase's any writable buffer on purpose: callers here pass a bytearray
    # or a memoryview of bytes, so len() and the slice assignment below count bytes
    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._bar.close()
        super().close()


def with_progress(stream: BinaryIO, path: os.PathLike, enabled: bool | None) -> BinaryIO:
    """Return ``stream`` wrapped in a progress bar when the file is large and progress is on."""
    size = os.path.getsize(path)
    if not progress_enabled(enabled) or size < PROGRESS_MIN_BYTES:
        return stream
    raw = getattr(stream, "fileobj", None) or getattr(stream, "_fp", None) or stream
    try:
        raw.tell()
        position = raw.tell
    except (AttributeError, OSError, io.UnsupportedOperation):
        return stream
    # ProgressReader is an io.RawIOBase binary stream that typeshed does not count as BinaryIO
    reader = ProgressReader(stream, size, position, os.path.basename(path))
    return reader  # type: ignore[return-value]
