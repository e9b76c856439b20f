"""Training corpora on disk: read them as a stream, tokenise them once into a whitespace file.

A corpus is one or more text files, one document a line, plain or compressed (gzip or bzip2,
recognised by their magic bytes, not their names). They are read line by line, never whole, so a
corpus may be far larger than memory. Each line is decoded as UTF-8, falling back to
Windows-1252 (then ISO Latin-1) for a line that is not, with one warning per file naming it.

:func:`tokenize_corpus` runs the project's tokenizer over every document once and writes the
tokens, space separated, one document a line: the format gensim's ``corpus_file`` training reads
with all cores and no GIL. Tokenising once matters: spaCy splits about 90,000 words a second on
one core, so re-tokenising for each of five epochs would take longer than the training itself.

Example:
    >>> import gzip, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "reviews.txt.gz").write_bytes(gzip.compress(b"A fine film.\\n\\nIt's dull!\\n"))
    >>> stats = tokenize_corpus(folder / "reviews.txt.gz", folder / "tokens.txt",
    ...                         tokenizer="spacy", lowercase=True, progress=False)
    >>> (folder / "tokens.txt").read_text()
    "a fine film .\\nit 's dull !\\n"
    >>> stats.documents, stats.tokens, stats.blank_lines
    (2, 8, 1)
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import logging
import multiprocessing
import os
import time
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from tqdm.auto import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from nlptransfer._util.errors import CorpusError, CorpusNotFoundError
from nlptransfer._util.files import atomic_output
from nlptransfer._util.progress import progress_enabled
from nlptransfer.text.tokenize import (
    RegexTokenizer,
    Tokenizer,
    WhitespaceTokenizer,
    get_tokenizer,
)

logger = logging.getLogger(__name__)

CorpusSource = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

#: Tried in order for a line that is not UTF-8 (Windows-1252 leaves five bytes undefined).
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
#: Documents sent to a tokenizer (or a worker process) at once.
BATCH_LINES = 2000
#: Corpora smaller than this are tokenised in this process: starting workers would cost more.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class CorpusStats:
    """What :func:`tokenize_corpus` read and wrote.

    Attributes:
        files: the corpus files, as given.
        documents: lines with at least one token (one document each in the output).
        tokens: tokens written.
        blank_lines: lines with no token (left out of the output).
        fallback_lines: lines that were not UTF-8 and were decoded as Windows-1252 / Latin-1.
        seconds: time taken.
    """

    files: list[str]
    documents: int = 0
    tokens: int = 0
    blank_lines: int = 0
    fallback_lines: int = 0
    seconds: float = 0.0
    tokenizer: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for provenance in ``meta.json``)."""
        return asdict(self)


def corpus_files(corpus: CorpusSource) -> list[Path]:
    """The corpus as a list of existing files, checked before any work starts.

    Raises:
        CorpusNotFoundError: a path does not exist or is not a file.
        CorpusError: no path was given.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
        >>> _ = f.write_text("hello world\\n")
        >>> corpus_files(f) == [f]
        True
    """
    paths = [corpus] if isinstance(corpus, str | os.PathLike) else list(corpus)
    if not paths:
        raise CorpusError("<corpus>", "expected at least one corpus file, found none")
    files = []
    for item in paths:
        path = Path(item)
        if not path.exists():
            raise CorpusNotFoundError(path, "expected a corpus file, found no such file")
        if not path.is_file():
            raise CorpusNotFoundError(path, "expected a corpus file, found a folder")
        files.append(path)
    return files


def _open_binary(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """``(stream, raw)``: the decompressed byte stream and the file on disk beneath it."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    head = raw.read(4)
    raw.seek(0)
    if head.startswith(_GZIP_MAGIC):
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")), raw
    if head.startswith(_BZ2_MAGIC):
        return cast(IO[bytes], bz2.BZ2File(raw, mode="rb")), raw
    if head.startswith(_ZIP_MAGIC):
        raw.close()
        raise CorpusError(
            path,
            "expected plain text, gzip or bzip2, found a zip archive; unzip it and pass the "
            "text files",
        )
    return raw, raw


def _decode(raw: bytes, path: Path, line: int) -> tuple[str, bool]:
    if b"\x00" in raw:
        raise CorpusError(
            path,
            "expected text (one document a line), found binary data (a NUL byte); is this the "
            "right file?",
            line=line,
        )
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    for encoding in FALLBACK_ENCODINGS:
        try:
            return raw.decode(encoding), True
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def read_documents(
    path: str | Path, *, on_bytes: Any = None, stats: CorpusStats | None = None
) -> Iterator[str]:
    """Stream the lines of one corpus file as text (line end removed), decompressing as needed.

    Args:
        path: a plain, gzip or bzip2 text file.
        on_bytes: called with the number of bytes of the file on disk read so far (progress).
        stats: counts lines that needed the Latin-1 fallback into ``stats.fallback_lines``.

    Raises:
        CorpusError: the compressed data is corrupt or truncated, or the file is binary; the
            message names the file and the line reached.

    Example:
        >>> import gzip, tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.gz"
        >>> _ = f.write_bytes(gzip.compress(b"caf\\xc3\\xa9\\r\\ncaf\\xe9\\n"))
        >>> list(read_documents(f))
        ['café', 'café']
    """
    path = Path(path)
    stream, raw = _open_binary(path)
    line = 0
    fallback = 0
    first_fallback = None
    try:
        while True:
            try:
                data = stream.readline()
            except (gzip.BadGzipFile, zlib.error, OSError) as exc:
                raise CorpusError(
                    path,
                    f"expected valid compressed data after line {line}, found corrupt data ({exc})",
                    line=line + 1,
                ) from exc
            except EOFError as exc:
                raise CorpusError(
                    path,
                    f"expected the compressed stream to continue after line {line}, found its end: "
                    "the file is truncated",
                    line=line + 1,
                ) from exc
            if not data:
                break
            line += 1
            text, fell_back = _decode(data, path, line)
            if fell_back:
                fallback += 1
                first_fallback = first_fallback or line
            if on_bytes is not None and line % 256 == 0:
                on_bytes(raw.tell())
            yield text.rstrip("\r\n")
    finally:
        if on_bytes is not None and not raw.closed:
            on_bytes(raw.tell())
        stream.close()
        raw.close()
    if fallback:
        logger.warning(
            "%s: not UTF-8 on %d of %d lines (first: %d), decoded as Windows-1252 / Latin-1",
            path,
            fallback,
            line,
            first_fallback,
        )
        if stats is not None:
            stats.fallback_lines += fallback


def resolve_tokenizer(tokenizer: str | Tokenizer, lowercase: bool | None) -> Tokenizer:
    """A tokenizer by name (``spacy``, ``whitespace``, ``regex``) or as given.

    ``lowercase`` applies to a named tokenizer (``None`` means ``True``); a tokenizer object keeps
    its own setting, and a ``lowercase`` that disagrees with it is an error.

    Example:
        >>> resolve_tokenizer("whitespace", None)
        WhitespaceTokenizer(lowercase=True, max_tokens=None)
    """
    if isinstance(tokenizer, Tokenizer):
        if lowercase is not None and lowercase != tokenizer.lowercase:
            raise ValueError(
                f"lowercase={lowercase} disagrees with the tokenizer given ({tokenizer!r}); "
                "set lowercase on the tokenizer"
            )
        return tokenizer
    return get_tokenizer(tokenizer, lowercase=True if lowercase is None else lowercase)


def _whitespace_free(tokens: list[str]) -> str:
    """One output line: tokens that hold whitespace are split there, as gensim would read them."""
    return " ".join(piece for token in tokens for piece in token.split())


_WORKER_TOKENIZER: Tokenizer | None = None


def _init_worker(tokenizer: Tokenizer) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = tokenizer


def _tokenize_in_worker(texts: list[str]) -> list[str]:
    assert _WORKER_TOKENIZER is not None
    return [_whitespace_free(t) for t in _WORKER_TOKENIZER.tokenize_batch(texts)]


def _batches(files: list[Path], stats: CorpusStats, on_bytes: Any) -> Iterator[list[str]]:
    offset = 0
    for path in files:
        batch: list[str] = []

        def advance(position: int, base: int = offset) -> None:
            on_bytes(base + position)

        for text in read_documents(path, on_bytes=advance, stats=stats):
            batch.append(text)
            if len(batch) == BATCH_LINES:
                yield batch
                batch = []
        if batch:
            yield batch
        offset += path.stat().st_size


def _tokenized_batches(
    batches: Iterator[list[str]], tokenizer: Tokenizer, workers: int
) -> Iterator[list[str]]:
    """Token lines for each batch, in order; with ``workers > 1`` at most ``2 * workers`` batches
    are in flight, so memory stays bounded however large the corpus."""
    if workers <= 1:
        for batch in batches:
            yield [_whitespace_free(t) for t in tokenizer.tokenize_batch(batch)]
        return
    context = multiprocessing.get_context("spawn")  # fork after torch/threads can deadlock
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(tokenizer,)
    ) as pool:
        pending: deque[Future[list[str]]] = deque()
        for batch in batches:
            pending.append(pool.submit(_tokenize_in_worker, batch))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def tokenize_corpus(
    corpus: CorpusSource,
    out: str | Path,
    *,
    tokenizer: str | Tokenizer = "spacy",
    lowercase: bool | None = None,
    workers: int = 1,
    progress: bool | None = None,
) -> CorpusStats:
    """Tokenise every document of ``corpus`` into ``out``: tokens space separated, one document a
    line (blank documents left out), written atomically.

    Args:
        corpus: a file or a list of files, one document a line (plain, ``.gz`` or ``.bz2``).
        out: the whitespace-tokenised file to write.
        tokenizer: ``spacy`` (default), ``whitespace`` (already tokenised text), ``regex`` or a
            :class:`~nlptransfer.text.tokenize.Tokenizer`.
        lowercase: lowercase the tokens (``None``: yes for a named tokenizer).
        workers: processes for tokenising (spaCy is the slow one; the whitespace and regex
            tokenizers always run in this process, as do corpora under 4 MiB).
        progress: a progress bar over the bytes read, with words/second (default: on a terminal or in
            Jupyter, see ``progress_enabled``).

    Returns:
        The counts, including the tokenizer's config.

    Raises:
        CorpusNotFoundError: a file is missing.
        CorpusError: a file is corrupt, truncated or binary (naming it and the line reached), or
            the corpus holds no token at all.
    """
    files = corpus_files(corpus)
    tok = resolve_tokenizer(tokenizer, lowercase)
    stats = CorpusStats(files=[str(f) for f in files], tokenizer=tok.config())
    total_bytes = sum(f.stat().st_size for f in files)
    cheap = isinstance(tok, WhitespaceTokenizer | RegexTokenizer)
    processes = 1 if cheap or total_bytes < PARALLEL_MIN_BYTES else max(1, workers)
    started = time.perf_counter()
    show = progress_enabled(progress)
    bar = tqdm(
        total=total_bytes,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc="tokenising",
        disable=not show,
    )

    def on_bytes(position: int) -> None:
        bar.update(max(position - bar.n, 0))

    try:
        with (
            logging_redirect_tqdm() if show else contextlib.nullcontext(),
            atomic_output(out) as tmp,
            open(tmp, "w", encoding="utf-8", newline="\n") as sink,
        ):
            for lines in _tokenized_batches(_batches(files, stats, on_bytes), tok, processes):
                kept = [line for line in lines if line]
                stats.blank_lines += len(lines) - len(kept)
                stats.documents += len(kept)
                stats.tokens += sum(line.count(" ") + 1 for line in kept)
                if kept:
                    sink.write("\n".join(kept) + "\n")
                elapsed = time.perf_counter() - started
                bar.set_postfix_str(
                    f"{stats.tokens:,} words, {stats.tokens / elapsed:,.0f} words/s"
                )
            if stats.tokens == 0:
                raise CorpusError(
                    ", ".join(stats.files),
                    f"expected text to train on, found no token in {stats.blank_lines} lines "
                    "(the corpus is empty)",
                )
    finally:
        bar.close()
    stats.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "tokenised %s documents, %s words in %.1f s (%s words/s) with %r",
        f"{stats.documents:,}",
        f"{stats.tokens:,}",
        stats.seconds,
        f"{stats.tokens / max(stats.seconds, 1e-9):,.0f}",
        tok,
    )
    return stats
