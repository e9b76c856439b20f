"""The results file: one JSON line per finished run, appended so a crash never tears a line.

Each record is written with a single ``write`` on a file opened with ``O_APPEND``, under an
exclusive lock, and then ``fsync``-ed: a run is either entirely in the file or not at all. A reader skips (and reports)
a last line cut short by a crash in the middle of a write, so ``--resume`` simply reruns it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

RESULTS_FILE = "runs.jsonl"


class ResultsStore:
    """Append-only run records under ``folder/runs.jsonl``.

    Example:
        >>> import tempfile
        >>> store = ResultsStore(tempfile.mkdtemp())
        >>> store.append({"run_id": "abc", "metrics": {"test": {"accuracy": 0.9}}})
        >>> [r["run_id"] for r in store.records()], store.finished_ids()
        (['abc'], {'abc'})
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)  # made by the first append: reading creates nothing
        self.path = self.folder / RESULTS_FILE

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line, atomically with respect to crashes and other writers."""
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
            "utf-8"
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # several writers (e.g. two bench processes) take turns
            if os.fstat(fd).st_size and not self._ends_with_newline():
                line = b"\n" + line  # a torn line from a crash: start ours on a fresh line
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(f"short write to {self.path}: {written} of {len(line)} bytes")
            os.fsync(fd)
        finally:
            os.close(fd)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"

    def records(self) -> Iterator[dict[str, Any]]:
        """Every complete record, in the order written; torn lines are skipped with a warning."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            for number, raw in enumerate(f, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError:
                    logger.warning(
                        "%s, line %d: incomplete record (interrupted write) skipped",
                        self.path,
                        number,
                    )
                    continue
                if isinstance(record, dict) and "run_id" in record:
                    yield record

    def finished_ids(self) -> set[str]:
        """The ids of runs already recorded."""
        return {r["run_id"] for r in self.records()}
