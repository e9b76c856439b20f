"""Text vector formats: word2vec text and fastText ``.vec`` (header ``count dim``) and GloVe (none).

One row a line: a word, then ``dim`` numbers separated by single spaces. GloVe has no header and
its tokens may contain spaces (a few glove.840B tokens do): the last ``dim`` fields are the vector.

Reading has two paths that give the same result:

- a fast path that streams the file through Arrow's multi-threaded CSV parser, used whenever every
  line is a plain ``word v1 ... vdim`` row;
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

import io
import logging
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats.base import ParsedVectors
from nlptransfer.vectors.formats.compression import open_vectors_file
from nlptransfer.vectors.formats.progress import with_progress
from nlptransfer.vectors.formats.rows import RowCollector, check_unicode_policy
from nlptransfer.vectors.io import atomic_output

logger = logging.getLogger(__name__)

_BLOCK_SIZE = 4 * 1024 * 1024  # measured fastest on 2 cores (benchmarks/README.md)
_EXACT_BATCH = 8192
_SNIFF_BYTES = 1 << 20
_WRITE_BATCH = 65536


class _FastPathUnsuitable(Exception):
    """The file needs the exact line-by-line path (odd spacing, errors, tokens with spaces)."""


def parse_header(line: bytes) -> tuple[int, int] | None:
    """Parse a ``count dim`` header line; ``None`` if the line is not one.

    >>> parse_header(b"400000 50\\n"), parse_header(b"the 0.1 0.2\\n")
    ((400000, 50), None)
    """
    fields = line.split()
    if len(fields) != 2:
        return None
    try:
        count, dim = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return (count, dim) if count >= 0 and dim > 0 else None


def _first_lines(path: Path, member: str | None, n: int = 2) -> list[bytes]:
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
        progress: show a progress bar for large files (default: on unless NLPTRANSFER_QUIET).

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
    first_data = lines[1] if header else lines[0]
    trailing_space = first_data.rstrip(b"\r").endswith(b" ")

    def collector() -> RowCollector:
        return RowCollector(
            path, dim, vocab=vocab, limit=limit, unicode_errors=unicode_errors, location="line"
        )

    rows = collector()
    try:
        _read_fast(path, member, rows, dim, header, trailing_space, progress)
    except _FastPathUnsuitable as reason:
        logger.debug("%s: exact line-by-line parse (%s)", path, reason)
        rows = collector()
        _read_exact(path, member, rows, dim, header, progress)
    if count is not None and not rows.done and rows.rows_seen != count:
        raise VectorsFormatError(
            path,
            f"the header says {count} words of dimension {dim}, but the file has "
            f"{rows.rows_seen} rows",
            line=1,
        )
    return rows.finish({"header_count": count, "dim": dim})


def _read_fast(
    path: Path,
    member: str | None,
    rows: RowCollector,
    dim: int,
    header: bool,
    trailing_space: bool,
    progress: bool | None,
) -> None:
    names = ["word"] + [f"v{i}" for i in range(dim)] + (["end"] if trailing_space else [])
    types = {name: pa.float64() for name in names[1 : dim + 1]}
    types["word"] = pa.binary()
    if trailing_space:
        types["end"] = pa.binary()
    read_options = pacsv.ReadOptions(
        column_names=names, block_size=_BLOCK_SIZE, skip_rows=1 if header else 0
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
    line = 2 if header else 1
    with open_vectors_file(path, member) as raw_stream:
        stream = with_progress(raw_stream, path, progress)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
            for batch in reader:
                n = batch.num_rows
                if trailing_space and batch.column(dim + 1).null_count + sum(
                    len(x) for x in batch.column(dim + 1).to_pylist()
                ):
                    raise _FastPathUnsuitable("text after the last value")
                columns = batch.columns[1 : dim + 1]
                if any(col.null_count for col in columns):
                    raise _FastPathUnsuitable("missing values")
                matrix = np.empty((dim, n), dtype=np.float32)
                for i, col in enumerate(columns):
                    matrix[i] = col.to_numpy()
                words = batch.column(0).to_pylist()
                rows.add(words, matrix.T, range(line, line + n))
                line += n
                if rows.done:
                    break
        except pa.ArrowInvalid as exc:
            raise _FastPathUnsuitable(str(exc).splitlines()[0]) from exc
        finally:
            if stream is not raw_stream:
                stream.close()


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
    if header or all(_is_number(x) for x in extra if x):
        return f"expected {dim} values after the word, found {len(values)}"
    return b" ".join(fields[: len(fields) - dim]), fields[len(fields) - dim :]


def _is_number(token: bytes) -> bool:
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
) -> None:
    words: list[bytes] = []
    values: list[list[bytes]] = []
    lines: list[int] = []
    spaced_tokens = 0

    def flush() -> None:
        if not words:
            return
        try:
            matrix = np.array(values, dtype=np.float64).astype(np.float32)
        except ValueError:
            for token_line, token_values, word in zip(lines, values, words, strict=True):
                for token in token_values:
                    if not _is_number(token):
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
        stream = with_progress(raw_stream, path, progress)
        try:
            for number, raw in enumerate(stream, start=1):
                if header and number == 1:
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


def write_text_vectors(
    path: str | Path, words: list[str], matrix: np.ndarray, *, header: bool
) -> Path:
    """Write vectors as word2vec text (``header=True``) or GloVe text (``header=False``).

    Values are written in the shortest form that reads back to the same float32, so a file
    round-trips exactly. The file appears atomically.

    Example:
        >>> import pathlib, tempfile, numpy as np
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> _ = write_text_vectors(p, ["a", "b"], np.eye(2, dtype=np.float32), header=True)
        >>> p.read_text()
        '2 2\\na 1 0\\nb 0 1\\n'
    """
    path = Path(path)
    matrix = np.asarray(matrix, dtype=np.float32)
    for word in words:
        if "\n" in word or "\r" in word or (header and " " in word) or not word:
            raise ValueError(
                f"cannot write the word {word!r} to a text vectors file: text formats cannot "
                "hold empty words, line breaks, or (with a header) spaces; use the native store"
            )
    # Arrow formats the numbers (shortest round-trip form); the words are joined on in Python,
    # since Arrow's unquoted CSV writer refuses words such as '"' (one of GloVe 6B's).
    options = pacsv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none")
    with atomic_output(path) as tmp, open(tmp, "wb") as f:
        if header:
            f.write(f"{matrix.shape[0]} {matrix.shape[1]}\n".encode())
        for start in range(0, len(words), _WRITE_BATCH):
            block = matrix[start : start + _WRITE_BATCH]
            table = pa.table({f"v{i}": pa.array(block[:, i]) for i in range(block.shape[1])})
            numbers = io.BytesIO()
            pacsv.write_csv(table, numbers, options)
            lines = numbers.getvalue().split(b"\n")
            batch = words[start : start + _WRITE_BATCH]
            f.write(
                b"".join(
                    w.encode("utf-8") + b" " + line + b"\n"
                    for w, line in zip(batch, lines, strict=False)
                )
            )
    return path
