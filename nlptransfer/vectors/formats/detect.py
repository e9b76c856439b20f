"""Telling vectors formats apart by their content (magic bytes, header), not their file names.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "vectors.dat"
    >>> _ = p.write_text("2 3\\ncat 1 2 3\\ndog 4 5 6\\n")
    >>> detect_format(p)
    'word2vec-text'
"""

from __future__ import annotations

from pathlib import Path

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer.vectors.formats.compression import open_vectors_file
from nlptransfer.vectors.formats.text import is_number, parse_header

#: Canonical format names, and the spellings users may pass as ``format=``.
FORMATS = ("word2vec-bin", "word2vec-text", "glove", "fasttext-bin", "gensim", "native")
FORMAT_ALIASES = {
    "word2vec": "word2vec-bin",
    "word2vec-binary": "word2vec-bin",
    "bin": "word2vec-bin",
    "w2v": "word2vec-bin",
    "word2vec-txt": "word2vec-text",
    "vec": "word2vec-text",
    "fasttext-vec": "word2vec-text",
    "glove-text": "glove",
    "txt": "glove",
    "fasttext": "fasttext-bin",
    "fasttext-binary": "fasttext-bin",
    "ftz": "fasttext-bin",
    "keyedvectors": "gensim",
    "kv": "gensim",
    "ntv": "native",
}

FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")
NATIVE_META = "meta.json"


def normalize_format(name: str) -> str:
    """Map a user's spelling of a format to its canonical name.

    >>> normalize_format("vec"), normalize_format("GloVe")
    ('word2vec-text', 'glove')
    """
    key = name.strip().lower()
    key = FORMAT_ALIASES.get(key, key)
    if key not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValueError(f"unknown vectors format {name!r}; expected one of: {known}")
    return key


def detect_format(path: str | Path, member: str | None = None) -> str:
    """Return the canonical format name of the vectors at ``path``, from its content.

    Raises:
        VectorsFormatError: the content matches no known format (the message shows its start).
    """
    path = Path(path)
    if path.is_dir():
        if (path / NATIVE_META).is_file():
            return "native"
        raise VectorsFormatError(
            path, f"expected a native vectors folder with {NATIVE_META}, found a folder without one"
        )
    with open_vectors_file(path, member) as stream:
        head = stream.read(64 * 1024)
    if not head:
        raise VectorsFormatError(path, "expected vectors, found an empty file", offset=0)
    if head.startswith(FASTTEXT_MAGIC):
        return "fasttext-bin"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "gensim"
    first, _, rest = head.partition(b"\n")
    header = parse_header(first)
    if header is not None:
        _, _dim = header
        _word, _, after = rest.partition(b" ")
        line = after.split(b"\n", 1)[0]
        fields = line.split()
        if fields and all(is_number(f) for f in fields):  # a text row (of any length)
            return "word2vec-text"
        return "word2vec-bin"
    fields = first.split()
    if len(fields) >= 2 and all(is_number(f) for f in fields[-(len(fields) - 1) :]):
        return "glove"
    raise VectorsFormatError(
        path,
        "expected a known vectors format (word2vec binary or text, GloVe text, fastText .bin/.ftz,"
        f" gensim KeyedVectors, or a native .ntv folder), found content starting {head[:60]!r}",
        offset=0,
    )
