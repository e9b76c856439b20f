"""Map a large new array's memory in a background thread, ahead of the code that fills it.

A reader that fills a 3.6 GB matrix row by row also pays, inside its copy, for the kernel mapping
each page at its first write (allocating and zeroing it; on a virtual machine whose host has
taken idle memory back, several times more: 7.5 s of system time for 3.6 GB, measured on the
2-core machine of ``benchmarks/results/scale.md``). :class:`Prefault` moves that work to another
core: a thread asks the kernel to map the array's pages (``madvise(MADV_POPULATE_WRITE)``, Linux
5.14 and later), block by block from the end backwards, while the reader writes from the start:
they meet where the reader has got to, each having mapped its share (starting both at the front,
they contend for the same pages and gain nothing: 9.3-9.8 s against 9.7-10.4 s for a 3,000,000 x
300 word2vec binary file in cold memory; from the back, 7.3-7.4 s). Mapping a page never changes
its contents, so the two never race; where the call is unavailable (another system, an older
kernel) the thread stops at once and nothing changes.
"""

from __future__ import annotations

import ctypes
import logging
import mmap
import sys
import threading
import weakref
from collections.abc import Callable

import numpy as np

logger = logging.getLogger(__name__)

#: ``MADV_POPULATE_WRITE`` from ``<linux/mman.h>`` (the ``mmap`` module names it from Python 3.13).
_MADV_POPULATE_WRITE = 23
#: Arrays smaller than this are mapped quickly enough by the writer itself.
MIN_BYTES = 64 * 1024 * 1024
#: Bytes mapped per call: the thread checks between calls whether it should stop.
_BLOCK = 32 * 1024 * 1024


def _madvise() -> Callable[[int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    function.restype = ctypes.c_int
    return function


class Prefault:
    """Map ``array``'s pages in a daemon thread, from the end, until done or :meth:`stop`.

    The thread holds only a weak reference to the array: an array dropped (a reader that
    failed) stops it at the next block. Call :meth:`stop` before resizing the array.

    Example:
        >>> import numpy as np
        >>> matrix = np.empty((100_000, 300), np.float32)
        >>> with Prefault(matrix):
        ...     matrix[:] = 1.0
        >>> float(matrix.sum())
        30000000.0
    """

    def __init__(self, array: np.ndarray) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        madvise = _madvise()
        if madvise is None or array.nbytes < MIN_BYTES:
            return
        page = mmap.PAGESIZE
        first = -(-array.ctypes.data // page) * page  # whole pages inside the array only
        end = (array.ctypes.data + array.nbytes) // page * page
        self._thread = threading.Thread(
            target=self._run,
            args=(madvise, weakref.ref(array), first, end),
            name="nlptransfer-prefault",
            daemon=True,
        )
        self._thread.start()

    def _run(
        self,
        madvise: Callable[[int, int, int], int],
        array_ref: weakref.ref[np.ndarray],
        first: int,
        end: int,
    ) -> None:
        for start in reversed(range(first, end, _BLOCK)):  # the writer starts at the front
            array = array_ref()  # kept alive (and not freed) while its block is mapped
            if array is None or self._stop.is_set():
                return
            if madvise(start, min(_BLOCK, end - start), _MADV_POPULATE_WRITE) != 0:
                logger.debug("prefault stopped: madvise errno %d", ctypes.get_errno())
                return
            del array

    def stop(self) -> None:
        """Stop mapping (after the block in progress) and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Prefault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
