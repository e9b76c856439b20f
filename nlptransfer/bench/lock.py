"""One ``nlptransfer bench`` at a time per results folder: a lock file in the folder.

Two processes running one grid into one folder would each run every run not yet finished when
it started: twice the work, and twice each record. :class:`GridLock` takes an exclusive
``flock`` on ``FOLDER/.lock`` and writes the holder (pid, host, start time) into it; a second
process is refused with an error naming the holder. The operating system releases the lock of
a process that dies, ``kill -9`` included, so a lock left by a dead process is taken over (with
a warning naming it) rather than blocking the folder for ever.

Example:
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with GridLock(folder) as lock:
    ...     holder = lock.holder()
    ...     GridLock(folder).acquire()
    Traceback (most recent call last):
    ...
    nlptransfer.bench.lock.GridLockedError: ... is being run by another process (pid ...
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from nlptransfer._util.errors import NLPTransferError

logger = logging.getLogger(__name__)

LOCK_FILE = ".lock"


class GridLockedError(NLPTransferError, RuntimeError):
    """Another process is running a grid into the same results folder."""


class GridLock:
    """An exclusive lock on a results folder, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self._fd: int | None = None

    def holder(self) -> dict[str, Any]:
        """What the lock file says about its holder (``{}`` when empty or unreadable)."""
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8") or "{}"))
        except (OSError, ValueError, TypeError):
            return {}

    def acquire(self) -> GridLock:
        """Take the lock, or raise :class:`GridLockedError` naming the process that holds it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._locked_error() from None
            # the holder before us may have removed the file between our open and our lock:
            # then we hold a lock on a file nobody else will open; start again on the new one
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        stale = self.holder()
        if stale:
            logger.warning(
                "%s: taking over the lock left by pid %s on %s (started %s), which is no longer "
                "running; its unfinished runs are run again",
                self.folder,
                stale.get("pid", "?"),
                stale.get("host", "?"),
                stale.get("started", "?"),
            )
        me = {
            "pid": os.getpid(),
            "host": platform.node(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode("utf-8"), 0)
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock back (and remove the file, so the next holder finds no stale entry)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def _locked_error(self) -> GridLockedError:
        holder = self.holder()
        who = (
            f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started "
            f"{holder.get('started', '?')}: {holder.get('command', '?')}"
            if holder
            else "a process that has not written its pid yet"
        )
        return GridLockedError(
            f"{self.folder} is being run by another process ({who}); wait for it to finish "
            "(then --resume runs only what it left), or give another --out"
        )

    def __enter__(self) -> GridLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
