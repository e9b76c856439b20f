"""Writing files and folders atomically: readers never see a half-written result.

Everything is written under a temporary name in the destination's own folder (so the final rename
stays on one file system) and renamed into place only when complete; a failure removes the
temporary and leaves any previous version untouched.

Example:
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> with atomic_output(target) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> target.read_text()
    'hi'
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from tqdm.auto import tqdm

from nlptransfer._util.progress import PROGRESS_MIN_BYTES, progress_enabled

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # None marks no fcntl; checked before each use

logger = logging.getLogger(__name__)


def _temporary_sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write a file to; rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_directory(path: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary folder to fill; swap it in as ``path`` on success.

    An existing folder at ``path`` is replaced only after the new one is complete
    (``overwrite=False`` refuses instead).
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(path)
    tmp.mkdir()
    try:
        yield tmp
        if path.exists():
            old = _temporary_sibling(path)
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def exclusive_lock(path: str | Path, *, what: str = "") -> Iterator[None]:
    """Hold an exclusive ``fcntl.flock`` lock on ``path`` (created if missing) while inside.

    Another process holding it makes this one wait, after logging ``waiting for another process``
    (at INFO); the lock goes with its holder, even one killed with ``kill -9``. A holder may
    remove the lock file (with its folder) before releasing it: a waiter then locks a new one.
    Without ``fcntl`` (Windows) nothing is locked.

    Example:
        >>> import pathlib, tempfile
        >>> with exclusive_lock(pathlib.Path(tempfile.mkdtemp()) / ".lock", what="saving"):
        ...     pass
    """
    path = Path(path)
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            if fcntl is None:  # pragma: no cover - Windows
                yield
                return
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                logger.info("waiting for another process %s (lock %s)", what, path)
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                if not _same_file(handle, path):  # its holder removed it (and maybe its folder)
                    continue
                yield
                return
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _same_file(handle: BinaryIO, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


def file_digests(
    path: str | Path, algorithms: Sequence[str] = ("sha256",), *, progress: bool | None = None
) -> dict[str, str]:
    """Hex digests of a file, every algorithm in one pass (with a progress bar if large).

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"
        >>> _ = p.write_bytes(b"abc")
        >>> file_digests(p, ["md5"])
        {'md5': '900150983cd24fb0d6963f7d28e17f72'}
    """
    path = Path(path)
    hashers = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
    size = path.stat().st_size
    show = progress_enabled(progress) and size >= PROGRESS_MIN_BYTES
    with (
        open(path, "rb") as f,
        tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=f"verifying {path.name}",
            disable=not show,
            leave=False,
        ) as bar,
    ):
        while block := f.read(1 << 22):
            for hasher in hashers.values():
                hasher.update(block)
            bar.update(len(block))
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}
