"""Collecting parsed rows into a :class:`ParsedVectors`: decoding, duplicates, filters, checks.

Every reader parses rows in batches of raw word bytes and float rows; this module applies the rules
that are the same for every format, so they hold everywhere:

- words are decoded as UTF-8 with a policy for invalid bytes (``replace`` as gensim does,
  ``ignore``, ``skip`` the row, or ``strict``: fail naming the line or offset);
- ``vocab=`` keeps only the given words while streaming, so memory follows the rows kept;
- ``limit=`` keeps the first N rows of the file;
- duplicate words keep their first row, and the rest are counted and reported with a warning;
- a row with NaN or infinity is an error naming its line or offset, never a silent bad matrix.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.prefault import Prefault
from nlptransfer.vectors.formats.base import ParsedVectors


class Positions(Protocol):
    """Where each row of a batch was found (line or byte offset), by index: a list, or a lazy
    sequence that computes offsets only when a problem must be reported."""

    def __getitem__(self, i: int, /) -> int: ...

    def __len__(self) -> int: ...


logger = logging.getLogger(__name__)

UNICODE_POLICIES = ("replace", "ignore", "skip", "strict")


def check_unicode_policy(policy: str) -> None:
    """Fail early, with the valid choices, on an unknown ``unicode_errors`` value."""
    if policy not in UNICODE_POLICIES:
        raise ValueError(f"unicode_errors must be one of {UNICODE_POLICIES}, got {policy!r}")


class RowCollector:
    """Accumulates batches of rows while a file is read.

    Args:
        path: the file being read (for messages).
        dim: the dimension every row must have.
        vocab: keep only these words (``None`` keeps all).
        limit: stop after this many rows of the file (``None``: no limit).
        unicode_errors: one of :data:`UNICODE_POLICIES`.
        location: ``"line"`` for text formats, ``"offset"`` for binary ones; says what the
            positions passed to :meth:`add` are.
        expected_rows: about how many rows will be kept, if the reader knows (a header's count,
            an estimate from the file size); the matrix is then allocated once, at that size, and
            filled in place instead of being concatenated from blocks at the end. Only a hint:
            more rows still fit, and unused room is given back.
    """

    def __init__(
        self,
        path: Path,
        dim: int,
        *,
        vocab: Collection[str] | None = None,
        limit: int | None = None,
        unicode_errors: str = "replace",
        location: str = "line",
        expected_rows: int | None = None,
    ) -> None:
        check_unicode_policy(unicode_errors)
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        self.path = path
        self.dim = dim
        self.vocab = None if vocab is None else set(vocab)
        self.limit = limit
        self.unicode_errors = unicode_errors
        self.location = location
        self.rows_seen = 0
        self.expected_rows = expected_rows
        self.words: list[str] = []
        self.blocks: list[np.ndarray] = []  # rows kept, until the matrix buffer is allocated
        self._matrix: np.ndarray | None = None  # the matrix being filled: [capacity, dim]
        self._prefault: Prefault | None = None  # maps the matrix's pages ahead of the writes
        self._filled = 0
        self.seen: set[str] = set()  # always == set(self.words)
        self._duplicates_met = False
        self.duplicates = 0
        self.first_duplicate: tuple[str, int] | None = None
        self.undecodable = 0

    @property
    def done(self) -> bool:
        """True once ``limit`` rows have been read, or every ``vocab`` word has been found."""
        if self.limit is not None and self.rows_seen >= self.limit:
            return True
        return self.vocab is not None and len(self.seen) >= len(self.vocab)

    def remaining(self) -> int | None:
        """How many more rows of the file may be read before ``limit`` is reached."""
        return None if self.limit is None else max(self.limit - self.rows_seen, 0)

    def _where(self, position: int) -> dict[str, int]:
        return {"line": position} if self.location == "line" else {"offset": position}

    def decode(self, raw: bytes, position: int) -> str | None:
        """Decode one word; ``None`` means skip the row (policy ``skip``)."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.undecodable += 1
            if self.unicode_errors == "strict":
                raise VectorsFormatError(
                    self.path,
                    f"expected a UTF-8 word, found bytes {raw[:60]!r} ({exc.reason} at byte "
                    f"{exc.start}); pass unicode_errors='replace', 'ignore' or 'skip' to load it",
                    **self._where(position),
                ) from exc
            if self.unicode_errors == "skip":
                return None
            return raw.decode("utf-8", errors=self.unicode_errors)

    def add(
        self,
        raw_words: Sequence[bytes],
        matrix: np.ndarray,
        positions: Positions,
        decoded: list[str] | None = None,
    ) -> None:
        """Add a batch: ``raw_words[i]`` names ``matrix[i]``, found at ``positions[i]``.

        ``decoded``, if the reader has it, is every raw word already decoded as strict UTF-8
        (so ``raw_words`` is only read to report a problem).
        """
        take = len(raw_words)
        if self.limit is not None:
            take = min(take, self.limit - self.rows_seen)
        if take <= 0:
            return
        if not np.isfinite(matrix[:take]).all():  # one fast pass; find the row only on failure
            finite = np.isfinite(matrix[:take]).all(axis=1)
            bad = int(np.flatnonzero(~finite)[0])
            value = matrix[bad][~np.isfinite(matrix[bad])][0]
            shown = raw_words[bad][:60].decode("utf-8", errors="replace")
            why = " (or a number beyond float32's +-3.4e38)" if np.isinf(value) else ""
            raise VectorsFormatError(
                self.path,
                f"expected finite numbers, found {value}{why} in the vector of {shown!r}",
                **self._where(positions[bad]),
            )
        raw_words = raw_words[:take] if len(raw_words) > take else raw_words
        text: Sequence[str | None]  # the decoded words; None for a row to skip
        complete: list[str] | None = None  # the same words, when no row is to be skipped
        if decoded is not None:
            text = complete = decoded[:take] if len(decoded) > take else decoded
        else:
            try:
                text = complete = [raw.decode("utf-8") for raw in raw_words]
            except UnicodeDecodeError:
                text = [self.decode(raw, positions[i]) for i, raw in enumerate(raw_words)]
                if None not in text:
                    complete = [word for word in text if word is not None]
        self.rows_seen += take
        vocab = self.vocab
        seen = self.seen
        if vocab is None and complete is not None and not self._duplicates_met:
            # The common case, all new words: one set update, checked by the size it grows by.
            before = len(seen)
            seen.update(complete)
            if len(seen) == before + take:
                self.words.extend(complete)
                self._keep(matrix[:take])
                return
            # A duplicate: undo the update (seen is always the set of kept words) and take the
            # careful path below, from now on (files with one duplicate tend to have more).
            self.seen = seen = set(self.words)
            self._duplicates_met = True
        candidates = (
            range(take) if vocab is None else [i for i, word in enumerate(text) if word in vocab]
        )
        keep: list[int] = []
        for i in candidates:
            word = text[i]
            if word is None:
                continue
            if word in seen:
                self.duplicates += 1
                if self.first_duplicate is None:
                    self.first_duplicate = (word, positions[i])
                continue
            seen.add(word)
            self.words.append(word)
            keep.append(i)
        if keep:
            self._keep(matrix[keep] if len(keep) < take else matrix[:take])

    def reserve(self, n: int) -> np.ndarray | None:
        """Room for the next ``n`` rows of the matrix being built, for a reader that writes a
        batch straight into place and then passes that view to :meth:`add` (rows kept where they
        were written are not copied again).

        ``None`` where kept rows may not follow each other (``vocab=``, after a duplicate) or no
        ``expected_rows`` was given; the reader then parses into a batch of its own. The view is
        valid until the next call of :meth:`reserve` or :meth:`add` (the matrix may grow).
        """
        if self.vocab is not None or self._duplicates_met or self.expected_rows is None:
            return None
        if self._matrix is None:
            self._keep(np.empty((0, self.dim), np.float32))  # allocates the matrix
        assert self._matrix is not None
        end = self._filled + n
        if end > len(self._matrix):
            capacity = max(end, len(self._matrix) * 3 // 2)
            self._stop_prefault()
            self._matrix.resize((capacity, self.dim), refcheck=False)
        return self._matrix[self._filled : end]

    def _stop_prefault(self) -> None:
        """Stop mapping the matrix's pages: before it is resized (which moves it), and at the end."""
        if self._prefault is not None:
            self._prefault.stop()
            self._prefault = None

    def _keep(self, rows: np.ndarray) -> None:
        """Append ``rows`` to the matrix being built."""
        rows = np.ascontiguousarray(rows, dtype=np.float32)
        if (
            self._matrix is not None
            and len(rows)
            and rows.ctypes.data == self._matrix[self._filled :].ctypes.data
        ):  # written in place, into room from reserve()
            self._filled += len(rows)
            return
        if self._matrix is None:
            if not self.blocks and self.expected_rows is None:
                self.blocks.append(rows)  # no copy, if it stays the only block
                return
            kept = sum(len(block) for block in self.blocks)
            need = kept + len(rows)
            capacity = max(need, self.expected_rows or 2 * need)
            try:
                matrix = np.empty((capacity, self.dim), dtype=np.float32)  # pages used on write
            except MemoryError:  # a hint from a header that claims too much
                matrix = np.empty((2 * need, self.dim), dtype=np.float32)
            for block in self.blocks:
                matrix[self._filled : self._filled + len(block)] = block
                self._filled += len(block)
            self.blocks.clear()
            self._matrix = matrix
            self._prefault = Prefault(matrix)  # a large matrix: its pages mapped on another core
        end = self._filled + len(rows)
        if end > len(self._matrix):
            capacity = max(end, len(self._matrix) * 3 // 2)
            self._stop_prefault()
            self._matrix.resize((capacity, self.dim), refcheck=False)  # realloc: no copy, mostly
        self._matrix[self._filled : end] = rows
        self._filled = end

    def finish(self, meta: dict | None = None) -> ParsedVectors:
        """Warn about what was repaired and return the collected rows."""
        if self.first_duplicate is not None:  # set with the first duplicate counted
            word, position = self.first_duplicate
            where = f"line {position}" if self.location == "line" else f"byte offset {position}"
            logger.warning(
                "%s: %d duplicate word(s) skipped, keeping each word's first row "
                "(first duplicate: %r at %s)",
                self.path,
                self.duplicates,
                word,
                where,
            )
        if self.undecodable and self.unicode_errors != "strict":
            action = (
                "skipped"
                if self.unicode_errors == "skip"
                else f"decoded with '{self.unicode_errors}'"
            )
            logger.warning(
                "%s: %d word(s) were not valid UTF-8 and were %s",
                self.path,
                self.undecodable,
                action,
            )
        self._stop_prefault()
        if self._matrix is not None:
            matrix = self._matrix
            if self._filled < len(matrix):
                matrix.resize((self._filled, self.dim), refcheck=False)  # gives the rest back
            self._matrix = None
        elif self.blocks:
            matrix = self.blocks[0] if len(self.blocks) == 1 else np.concatenate(self.blocks)
        else:
            matrix = np.zeros((0, self.dim), dtype=np.float32)
        info = dict(meta or {})
        info.update(duplicates_skipped=self.duplicates, undecodable_words=self.undecodable)
        return ParsedVectors(words=self.words, matrix=matrix, meta=info)
