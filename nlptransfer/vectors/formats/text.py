"""Text vector formats: word2vec text and fastText ``.vec`` (header ``count dim``) and GloVe (none).

One row a line: a word, then ``dim`` numbers separated by single spaces. GloVe has no header and
its tokens may contain spaces (a few glove.840B tokens do): the last ``dim`` fields are the vector.

Reading has two paths that give the same result:

- a fast path that streams the file, in blocks of whole lines, through Arrow's CSV parser on
  worker threads (several blocks at once), used whenever every line is a plain
  ``word v1 ... vdim`` row;
- an exact path, line by line, taken when the fast parser meets anything else. It accepts tokens
  with spaces and stray whitespace, and it is what reports errors, with the line number (counted
  from 1, the header included, as editors count), what was expected and what was found.

Numbers are parsed as float64 and rounded to float32, as gensim does, so rows are bit-identical to
``KeyedVectors.load_word2vec_format``.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
    >>> _ = p.write_text("king 0.5 1.0\\nqueen 0.25 -1.5\\n")
    >>> parsed = read_text_vectors(p, header=False)
    >>> parsed.words, parsed.matrix.shape
    (['king', 'queen'], (2, 2))
"""

from __future__ import annotations

import bisect
import logging
import os
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.progress import with_progress
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    Reader,
    ReadOptions,
    VectorFormat,
    WritableVectors,
    Writer,
    register_format,
)
from nlptransfer.vectors.formats.collector import RowCollector, check_unicode_policy
from nlptransfer.vectors.formats.compression import open_vectors_file, sniff_compression
from nlptransfer.vectors.formats.text_filter import LinePicker, PickedLines
from nlptransfer.vectors.formats.text_writer import write_text_vectors

logger = logging.getLogger(__name__)

#: Text bytes per parse task (the tasks run on worker threads, one per core at a time). Large,
#: because each call of Arrow's CSV reader costs about 0.5 ms to set up (measured).
_BLOCK_SIZE = 4 * 1024 * 1024
#: With ``vocab=``, smaller blocks, so that memory follows the rows kept rather than the blocks
#: in flight (only the lines picked are parsed, so a block costs little beyond reading it).
_VOCAB_BLOCK_SIZE = 1024 * 1024
#: Arrow's own block size within a task: its parse runs fastest on blocks that stay in cache.
_ARROW_BLOCK_SIZE = 1024 * 1024
#: With ``limit=``, the first block is as large as the blocks of earlier versions, so that a
#: malformed line after the rows kept is reported, or not, as before.
_FIRST_BLOCK_SIZE = 4 * 1024 * 1024
_PARSE_THREADS = max(1, min(4, os.cpu_count() or 1))
_HAS_TO_TENSOR = hasattr(pa.RecordBatch, "to_tensor")
_EXACT_BATCH = 8192
_SNIFF_BYTES = 1 << 20
#: For a compressed file (size unknown), room for at most this many bytes of rows is reserved
#: from the header's count; more rows still fit (the matrix grows as they arrive).
_RESERVE_BYTES = 256 * 1024 * 1024


class _FastPathUnsuitable(Exception):
    """The file needs the exact line-by-line path (odd spacing, errors, tokens with spaces)."""


#: The UTF-8 byte-order mark that Windows tools write at the start of a text file.
UTF8_BOM = b"\xef\xbb\xbf"


def parse_header(line: bytes) -> tuple[int, int] | None:
    """Parse a ``count dim`` header line (after a UTF-8 byte-order mark, if any); ``None`` if the
    line is not one.

    >>> parse_header(b"400000 50\\n"), parse_header(b"the 0.1 0.2\\n")
    ((400000, 50), None)
    >>> parse_header(b"\\xef\\xbb\\xbf2 3\\n")
    (2, 3)
    """
    fields = line.removeprefix(UTF8_BOM).split()
    if len(fields) != 2:
        return None
    try:
        count, dim = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return (count, dim) if count >= 0 and dim > 0 else None


def _first_lines(path: Path, member: str | None, n: int = 3) -> list[bytes]:
    with open_vectors_file(path, member) as stream:
        head = stream.read(_SNIFF_BYTES)
    return head.split(b"\n")[:n]


def read_text_vectors(
    path: str | Path,
    *,
    header: bool | None = None,
    vocab: Collection[str] | None = None,
    limit: int | None = None,
    unicode_errors: str = "replace",
    member: str | None = None,
    progress: bool | None = None,
) -> ParsedVectors:
    """Read word2vec text, fastText ``.vec`` or GloVe text vectors.

    Args:
        path: the file, plain or compressed (``.gz``, ``.bz2``, ``.zip``).
        header: ``True`` for a ``count dim`` first line (word2vec text, fastText ``.vec``),
            ``False`` for GloVe, ``None`` to decide from the first line.
        vocab: keep only these words, while streaming.
        limit: keep the first ``limit`` rows.
        unicode_errors: ``replace`` (default, as gensim), ``ignore``, ``skip`` or ``strict``.
        member: the member of a zip archive to read.
        progress: show a progress bar for large files (default: on a terminal or in Jupyter, see ``progress_enabled``).

    Raises:
        VectorsFormatError: the file is empty or malformed; the message names the line.
    """
    path = Path(path)
    check_unicode_policy(unicode_errors)
    lines = _first_lines(path, member)
    if not lines or not lines[0].strip():
        found = "an empty file" if lines == [b""] else "an empty line"
        raise VectorsFormatError(
            path, f"expected a 'count dim' header or a first vector line, found {found}", line=1
        )
    parsed_header = parse_header(lines[0])
    if header is None:
        header = parsed_header is not None
    if header:
        if parsed_header is None:
            raise VectorsFormatError(
                path,
                f"expected a header line 'count dim', found {lines[0][:80]!r}",
                line=1,
            )
        count, dim = parsed_header
        if count == 0:
            return ParsedVectors([], np.zeros((0, dim), np.float32), meta={"header_count": 0})
    else:
        count = None
        first = lines[0].split()
        dim = len(first) - 1
        if dim < 1:
            raise VectorsFormatError(
                path, f"expected a word and at least one number, found {lines[0][:80]!r}", line=1
            )
    # A byte-order mark before a GloVe file's first word is skipped, not kept in the word (a
    # header line, with or without one, is skipped whole).
    bom = not header and lines[0].startswith(UTF8_BOM)
    if bom:
        lines[0] = lines[0].removeprefix(UTF8_BOM)
    first_data = (lines[1] if len(lines) > 1 else b"") if header else lines[0]
    trailing_space = first_data.rstrip(b"\r").endswith(b" ")

    plain_size = os.path.getsize(path) if sniff_compression(path) is None else None
    if header and count is not None:
        _check_header_fits(path, count, dim, lines, plain_size)
    count_hint: int | None = count
    if count is not None and plain_size is None:  # compressed: grow as rows arrive
        count_hint = min(count, max(1, _RESERVE_BYTES // (4 * dim)))

    def collector() -> RowCollector:
        return RowCollector(
            path,
            dim,
            vocab=vocab,
            limit=limit,
            unicode_errors=unicode_errors,
            location="line",
            expected_rows=_at_most(count_hint, limit, vocab),
        )

    rows = collector()
    try:
        # U+FEFF after a header, or after the file's own byte-order mark, is part of the first
        # word (only a file's first bytes can be a byte-order mark): the fast parser would drop
        # it, as it drops a stream's BOM
        if first_data.startswith(UTF8_BOM):
            raise _FastPathUnsuitable("the first word starts with U+FEFF")
        _read_fast(path, member, rows, dim, header, trailing_space, progress, plain_size, bom)
    except _FastPathUnsuitable as reason:
        logger.debug("%s: exact line-by-line parse (%s)", path, reason)
        rows = collector()
        _read_exact(path, member, rows, dim, header, progress, bom)
    if count is not None and not rows.done and rows.rows_seen != count:
        raise VectorsFormatError(
            path,
            f"the header says {count} words of dimension {dim}, but the file has "
            f"{rows.rows_seen} rows",
            line=1,
        )
    return rows.finish({"header_count": count, "dim": dim})


def _check_header_fits(
    path: Path, count: int, dim: int, lines: list[bytes], plain_size: int | None
) -> None:
    """Refuse a header that promises more than the file holds, before memory is set aside for it.

    Each value needs at least two bytes (a space and a digit): in a plain file, the header's
    rows must fit in its size; and the first row must have ``dim`` values (in a compressed file,
    at most as many as fit in what was read to sniff it).
    """
    if plain_size is not None:
        available = plain_size - len(lines[0]) - 1
        if count * 2 * dim > available:
            raise VectorsFormatError(
                path,
                f"the header says {count} words of dimension {dim}, which needs at least "
                f"{count * 2 * dim} bytes, but the file has {available} bytes after the header: "
                "the header's count or dimension disagrees with the data, or the file is "
                "truncated",
                line=1,
            )
    if not count:
        return
    if len(lines) > 2 and lines[1].strip():  # the first row, whole
        found = len(lines[1].split()) - 1
        if found < dim:
            raise VectorsFormatError(
                path, f"expected {dim} values after the word, found {found}", line=2
            )
    elif plain_size is None and dim > _SNIFF_BYTES // 2:
        raise VectorsFormatError(
            path,
            f"the header says dimension {dim}, but a row of {dim} values would be longer than "
            f"the {_SNIFF_BYTES} bytes read: the header's dimension disagrees with the data",
            line=1,
        )


def _read_fast(
    path: Path,
    member: str | None,
    rows: RowCollector,
    dim: int,
    header: bool,
    trailing_space: bool,
    progress: bool | None,
    plain_size: int | None,
    bom: bool = False,
) -> None:
    """Parse the file in blocks of whole lines, several blocks at a time on worker threads.

    The main thread reads the blocks (in order) and collects the parsed rows (in order); Arrow's
    parser releases the GIL, so parsing runs on every core and overlaps with the collecting.
    """
    block_size = _BLOCK_SIZE if rows.vocab is None else _VOCAB_BLOCK_SIZE
    names = ["word"] + [f"v{i}" for i in range(dim)] + (["end"] if trailing_space else [])
    types = {name: pa.float64() for name in names[1 : dim + 1]}
    types["word"] = pa.binary()
    if trailing_space:
        types["end"] = pa.binary()
    read_options = pacsv.ReadOptions(
        column_names=names, block_size=_ARROW_BLOCK_SIZE, use_threads=False
    )
    parse_options = pacsv.ParseOptions(
        delimiter=" ",
        quote_char=False,
        escape_char=False,
        double_quote=False,
        newlines_in_values=False,
        ignore_empty_lines=False,
    )
    convert_options = pacsv.ConvertOptions(
        column_types=types,
        null_values=[],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        check_utf8=False,
    )

    picker = None if rows.vocab is None else LinePicker(rows.vocab)

    def parse(block: memoryview) -> _ParsedBlock:
        """One block of whole lines -> (raw words, the same as UTF-8 text if they all are, float32
        rows, and with ``vocab=`` which lines of the block they are and how many it has); runs on
        a worker thread.

        Arrow releases the GIL while it parses and converts, so workers parse in parallel. With
        ``vocab=``, only the lines whose first token may be wanted are parsed (text_filter).
        """
        picked = None
        if picker is not None:
            picked = picker.pick(block)
            if not picked.lines:
                return _ParsedBlock(None, None, None, picked)
            block = memoryview(picked.data)
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(block)),
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
                memory_pool=_memory_pool(),
            )
            matrix = _table_rows(table, dim, trailing_space)
        except pa.ArrowInvalid as exc:
            raise _FastPathUnsuitable(str(exc).splitlines()[0]) from exc
        words = table.column(0)
        try:
            # Checks UTF-8 here, off the main thread (no copy).
            text = pc.cast(words, pa.string(), memory_pool=_memory_pool())
        except pa.ArrowInvalid:
            text = None  # RowCollector decodes them, by its unicode_errors policy
        return _ParsedBlock(words, text, matrix, picked)

    line = 2 if header else 1
    with open_vectors_file(path, member) as raw_stream:
        if bom:
            raw_stream.read(len(UTF8_BOM))
        stream = with_progress(raw_stream, path, progress)
        pool = ThreadPoolExecutor(_PARSE_THREADS, thread_name_prefix="nlptransfer-text")
        pending: deque[tuple[Future, int]] = deque()
        try:
            first_size = block_size if rows.limit is None else _FIRST_BLOCK_SIZE
            # Every stream open_vectors_file and with_progress give reads into a buffer;
            # typing.BinaryIO just does not declare readinto.
            readable = cast(_ReadsInto, stream)
            blocks = _line_blocks(
                readable, block_size, first_size=first_size, skip_first_line=header
            )
            more = True

            def submit() -> None:  # one block for every worker, no more (memory)
                nonlocal more
                while more and len(pending) < _PARSE_THREADS:
                    block = next(blocks, None)
                    if block is None:
                        more = False
                    else:
                        pending.append((pool.submit(parse, block), len(block)))

            while True:
                submit()
                if not pending:
                    break
                future, size = pending.popleft()
                parsed = future.result()
                submit()  # before collecting these rows, so that every worker stays busy
                n = parsed.lines
                if rows.expected_rows is None and plain_size is not None and size:
                    # Room for the whole file's rows, estimated from the first block (room that
                    # is not used is never touched, and is given back at the end).
                    estimate = int(n * plain_size / size * 1.1) + 1024
                    rows.expected_rows = _at_most(estimate, rows.limit, rows.vocab)
                _collect(rows, parsed, line)
                line += n
                if rows.done:
                    break
        finally:
            for future, _ in pending:
                future.cancel()
            pool.shutdown(wait=True)
            if stream is not raw_stream:
                stream.close()


@dataclass(frozen=True)
class _ParsedBlock:
    """A parsed block: raw words, the same as text if all are UTF-8, the float32 rows; with
    ``vocab=``, the lines picked (``None`` words and rows where none was)."""

    words: pa.ChunkedArray | None
    text: pa.ChunkedArray | None
    matrix: np.ndarray | None
    picked: PickedLines | None = None

    @property
    def lines(self) -> int:
        """How many lines of the file the block holds."""
        if self.picked is not None:
            return self.picked.total
        return 0 if self.matrix is None else len(self.matrix)


def _collect(rows: RowCollector, parsed: _ParsedBlock, line: int) -> None:
    """Add a parsed block's rows (the block's first line is line ``line`` of the file)."""
    words, text, matrix, picked = parsed.words, parsed.text, parsed.matrix, parsed.picked
    total = parsed.lines
    if picked is not None:
        remaining = rows.remaining()
        if remaining is not None and remaining < total:  # limit= ends within this block
            total = remaining
        keep = bisect.bisect_left(picked.lines, total)  # the picked lines within the limit
        positions: Sequence[int] = [line + i for i in picked.lines[:keep]]
    else:
        keep = total
        positions = range(line, line + total)
    if keep and words is not None and matrix is not None:
        if keep < len(matrix):
            words, matrix = words[:keep], matrix[:keep]
            text = None if text is None else text[:keep]
        decoded = None
        if text is not None:
            try:
                decoded = text.to_pylist()
            except UnicodeDecodeError:  # stricter than Arrow's check: decode as always
                decoded = None
        if decoded is None:
            rows.add(words.to_pylist(), matrix, positions)
        else:
            rows.add(_RawWords(words), matrix, positions, decoded)
    rows.rows_seen += total - keep  # the lines not picked: counted, not parsed


class _RawWords(Sequence[bytes]):
    """A block's words as bytes, made only when asked for (to report a problem)."""

    def __init__(self, words: pa.ChunkedArray) -> None:
        self.words = words

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return _RawWords(self.words[i])
        return self.words[i].as_py()


def _at_most(rows: int | None, limit: int | None, vocab: Collection[str] | None) -> int | None:
    """An upper bound on the rows kept, from the file's rows, ``limit`` and ``vocab``."""
    bounds = [b for b in (rows, limit, None if vocab is None else len(vocab)) if b is not None]
    return min(bounds) if bounds and rows is not None else None


def _memory_pool() -> pa.MemoryPool:
    """The system allocator for parsing: Arrow's default (mimalloc) keeps ~10 MiB a thread, which
    would be most of the memory of a ``vocab=`` load."""
    return pa.system_memory_pool()


def _table_rows(table: pa.Table, dim: int, trailing_space: bool) -> np.ndarray:
    """The float32 rows ``[n, dim]`` of a parsed block (columns ``word v0 ... [end]``)."""
    if trailing_space:
        end = table.column(dim + 1)
        if end.null_count or pc.max(pc.binary_length(end)).as_py():
            raise _FastPathUnsuitable("text after the last value")
    if any(table.column(i).null_count for i in range(1, dim + 1)):
        raise _FastPathUnsuitable("missing values")
    matrix = np.empty((table.num_rows, dim), dtype=np.float32)
    start = 0
    with np.errstate(over="ignore"):  # beyond float32 reads as inf, refused when added
        for batch in table.select(range(1, dim + 1)).to_batches():  # one per Arrow block
            n = batch.num_rows
            if _HAS_TO_TENSOR:  # rows in one call, without the GIL, then rounded while copied
                matrix[start : start + n] = np.asarray(
                    batch.to_tensor(row_major=True, memory_pool=_memory_pool())
                )
            else:
                columns = np.empty((dim, n), dtype=np.float32)  # contiguous writes, one transpose
                for i in range(dim):
                    columns[i] = batch.column(i).to_numpy()
                matrix[start : start + n] = columns.T
            start += n
    return matrix


class _ReadsInto(Protocol):
    """A binary stream that reads into a buffer (files, gzip, bz2 and zip members all do)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


def _line_blocks(
    stream: _ReadsInto, size: int, *, first_size: int | None = None, skip_first_line: bool
) -> Iterator[memoryview]:
    """Read ``stream`` in blocks of whole lines, as Arrow's own streaming reader cuts them.

    Each block is a buffer of its own (a worker may still be parsing the previous one): the
    partial line left over from the previous block, then ``size`` bytes read straight into it
    (``first_size`` for the first), cut after the last line break; a last line without a line
    break belongs to the last block. ``skip_first_line`` drops the header line.
    """

    def read(rest: memoryview, n: int) -> tuple[bytearray, int, int]:
        data = bytearray(len(rest) + n)
        data[: len(rest)] = rest
        got = stream.readinto(memoryview(data)[len(rest) :]) or 0
        return data, len(rest) + got, got

    data, end, got = read(memoryview(b""), first_size or size)
    start = 0
    while True:
        if skip_first_line:
            newline = data.find(b"\n", 0, end)
            if newline < 0 and got:
                data, end, got = read(memoryview(data)[:end], size)
                continue
            start = newline + 1 if newline >= 0 else end
            skip_first_line = False
        if not got:  # the end of the stream
            if end > start:
                yield memoryview(data)[start:end]
            return
        cut = data.rfind(b"\n", start, end) + 1
        if cut == 0:  # no line break yet: a line longer than the block
            data, end, got = read(memoryview(data)[start:end], size)
            start = 0
            continue
        # Read on before giving this block out: at the end of the stream, the rest of this
        # block (a last line without a line break) is part of it.
        following, following_end, got = read(memoryview(data)[cut:end], size)
        if not got:
            yield memoryview(data)[start:end]
            return
        yield memoryview(data)[start:cut]
        data, end, start = following, following_end, 0


def _split_row(raw: bytes, dim: int, header: bool) -> tuple[bytes, list[bytes]] | str:
    """Split one line into word and values, or return what is wrong with it."""
    line = raw.rstrip(b"\r\n").rstrip(b" \t")
    word, _, rest = line.partition(b" ")
    values = rest.split()
    if len(values) == dim:
        return word, values
    if len(values) < dim:
        return f"expected {dim} values after the word, found {len(values)}"
    # More fields than dim: either too many numbers, or (GloVe) a token containing spaces.
    fields = line.split(b" ")
    extra = fields[1 : len(fields) - dim]
    if header or all(is_number(x) for x in extra if x):
        return f"expected {dim} values after the word, found {len(values)}"
    return b" ".join(fields[: len(fields) - dim]), fields[len(fields) - dim :]


def is_number(token: bytes) -> bool:
    """Whether ``token`` parses as a float (as the exact path and format detection need)."""
    try:
        float(token)
    except ValueError:
        return False
    return True


def _read_exact(
    path: Path,
    member: str | None,
    rows: RowCollector,
    dim: int,
    header: bool,
    progress: bool | None,
    bom: bool = False,
) -> None:
    words: list[bytes] = []
    values: list[list[bytes]] = []
    lines: list[int] = []
    spaced_tokens = 0
    # With vocab=, lines that cannot hold a wanted word are skipped unparsed (without limit=,
    # which counts lines in file order, as the batches below are added).
    picker = None if rows.vocab is None or rows.limit is not None else LinePicker(rows.vocab)

    def flush() -> None:
        if not words:
            return
        try:
            with np.errstate(over="ignore"):  # beyond float32 is inf, refused when added
                matrix = np.array(values, dtype=np.float64).astype(np.float32)
        except ValueError:
            for token_line, token_values, word in zip(lines, values, words, strict=True):
                for token in token_values:
                    if not is_number(token):
                        raise VectorsFormatError(
                            path,
                            f"expected a number in the vector of {word[:60]!r}, "
                            f"found {token[:40]!r}",
                            line=token_line,
                        ) from None
            raise
        rows.add(words, matrix, lines)
        words.clear()
        values.clear()
        lines.clear()

    with open_vectors_file(path, member) as raw_stream:
        if bom:
            raw_stream.read(len(UTF8_BOM))
        stream = with_progress(raw_stream, path, progress)
        try:
            for number, raw in enumerate(stream, start=1):
                if header and number == 1:
                    continue
                if picker is not None and not picker.may_want(raw):
                    rows.rows_seen += 1  # counted, not parsed
                    continue
                split = _split_row(raw, dim, header)
                if isinstance(split, str):
                    if not raw.strip():
                        split = "expected a vector line, found an empty line"
                    raise VectorsFormatError(path, split, line=number)
                word, row = split
                if b" " in word:
                    spaced_tokens += 1
                words.append(word)
                values.append(row)
                lines.append(number)
                if len(words) >= _EXACT_BATCH:
                    flush()
                    if rows.done:
                        break
            flush()
        finally:
            if stream is not raw_stream:
                stream.close()
    if spaced_tokens:
        logger.info(
            "%s: %d token(s) contain spaces (kept whole, as GloVe does)", path, spaced_tokens
        )


def has_text_header(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts with a ``count dim`` line followed by a text
    row (a word and numbers): word2vec text or fastText ``.vec``.

    Example:
        >>> has_text_header(b"2 3\\ncat 1 2 3\\n"), has_text_header(b"2 3\\ncat \\x00\\x01")
        (True, False)
    """
    first, _, rest = head.partition(b"\n")
    if parse_header(first) is None:
        return False
    _word, _, after = rest.partition(b" ")
    fields = after.split(b"\n", 1)[0].split()
    return bool(fields) and all(is_number(f) for f in fields)  # a text row (of any length)


def is_glove_text(head: bytes) -> bool:
    """Whether the first line of ``head`` is a word followed by numbers (GloVe: no header).

    Example:
        >>> is_glove_text(b"the 0.1 -0.2\\n"), is_glove_text(b"This is prose.\\n")
        (True, False)
    """
    fields = head.partition(b"\n")[0].split()
    return len(fields) >= 2 and all(is_number(f) for f in fields[1:])


def _reader(header: bool) -> Reader:
    def read(path: Path, options: ReadOptions) -> ParsedVectors:
        return read_text_vectors(
            path,
            header=header,
            vocab=options.vocab,
            limit=options.limit,
            unicode_errors=options.unicode_errors,
            member=options.member,
            progress=options.progress,
        )

    return read


def _writer(header: bool) -> Writer:
    def write(vectors: WritableVectors, path: Path) -> Path:
        return write_text_vectors(path, vectors.words, vectors.matrix, header=header)

    return write


WORD2VEC_TEXT = register_format(
    VectorFormat(
        "word2vec-text",
        "word2vec text or fastText .vec",
        read=_reader(header=True),
        sniff=lambda head, path: has_text_header(head),
        write=_writer(header=True),
        aliases=("word2vec-txt", "vec", "fasttext-vec"),
        suffix=".vec",
        sniff_order=30,
    )
)
GLOVE = register_format(
    VectorFormat(
        "glove",
        "GloVe text",
        read=_reader(header=False),
        sniff=lambda head, path: is_glove_text(head),
        write=_writer(header=False),
        aliases=("glove-text", "txt"),
        suffix=".glove.txt",
        sniff_order=50,
    )
)
