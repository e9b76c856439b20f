"""A vectors format as one object, and the registry that holds them.

A :class:`VectorFormat` says everything nlptransfer needs to know about one on-disk format: its
name and the spellings users may give, how to recognise it from a file's first bytes, how to read
it into :class:`ParsedVectors`, how to write it (if it can be written) and the suffix its files
get. Each format module defines its format and registers it in :data:`VECTOR_FORMATS`, beside its
reader; nothing else lists formats. Other packages add formats through the entry point group
``nlptransfer.formats`` (the entry point names a :class:`VectorFormat` object), and then
``load_vectors(path, format="NAME")`` reads them and ``write_vectors(v, path, "NAME")`` writes
them.

Example:
    >>> import pathlib, tempfile, numpy as np
    >>> def read_lines(path, options):  # one word a line, its vector all ones
    ...     words = pathlib.Path(path).read_text().split()
    ...     return ParsedVectors(words, np.ones((len(words), 2), np.float32))
    >>> words_only = VectorFormat("words-only", "a word list", read=read_lines)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "words.lst"
    >>> _ = p.write_text("cat\\ndog\\n")
    >>> words_only.read(p, ReadOptions()).words
    ['cat', 'dog']
    >>> normalize_format("vec"), normalize_format("GloVe")
    ('word2vec-text', 'glove')
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.registry import Registry

if TYPE_CHECKING:
    from nlptransfer.vectors.subword import FastTextSubwords

logger = logging.getLogger(__name__)


@dataclass
class ParsedVectors:
    """Rows read from a file: ``words[i]`` is the word of ``matrix[i]``.

    Attributes:
        words: the words in file order, duplicates already removed.
        matrix: float32 array of shape ``[len(words), dim]``.
        subwords: the fastText subword model when the file carries one.
        meta: format-specific facts worth keeping as provenance (e.g. fastText hyper-parameters).
        norms: each row's L2 norm when the file stores them (a native store), else ``None``.
    """

    words: list[str]
    matrix: np.ndarray
    subwords: FastTextSubwords | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    norms: np.ndarray | None = None


@dataclass(frozen=True)
class ReadOptions:
    """What the caller of ``read_vectors`` asked for, handed to a format's reader.

    A reader uses the options that mean something for its format and ignores the rest.

    Attributes:
        vocab: keep only these words; a reader that streams applies it while reading (memory
            then follows the rows kept), one that does not leaves it to ``read_vectors``.
        limit: keep the first ``limit`` rows of the file (before ``vocab``), likewise.
        unicode_errors: ``replace``, ``ignore``, ``skip`` or ``strict``, for words that are not
            valid UTF-8.
        member: the member of a ``.zip`` archive to read.
        progress: progress bars for large files (``None``: on a terminal or in Jupyter).
        allow_pickle: the caller trusts pickle files (gensim's format runs code when read).
        mmap: memory-map files that can be (the native store) instead of reading them.
        tokenizer: the tokenizer file of token vectors (WordLlama) when it is not where their
            format looks for it.
    """

    vocab: Collection[str] | None = None
    limit: int | None = None
    unicode_errors: str = "replace"
    member: str | None = None
    progress: bool | None = None
    allow_pickle: bool = False
    mmap: bool = True
    tokenizer: Path | None = None


class WritableVectors(Protocol):
    """What a format's writer is given: a :class:`~nlptransfer.vectors.Vectors`."""

    words: list[str]
    matrix: np.ndarray
    subwords: Any
    meta: dict[str, Any]

    def save(self, path: str | Path, *, overwrite: bool = True) -> Path: ...


#: ``read(path, options)``: the file's rows.
Reader = Callable[[Path, ReadOptions], ParsedVectors]
#: ``sniff(head, path)``: whether the file whose first bytes (decompressed) are ``head`` is in
#: this format; for a folder format, ``head`` is empty and ``path`` is the folder.
Sniffer = Callable[[bytes, Path], bool]
#: ``write(vectors, path)``: write the vectors (atomically) and return the path written.
Writer = Callable[[WritableVectors, Path], Path]


@dataclass(frozen=True)
class VectorFormat:
    """One on-disk vectors format.

    Attributes:
        name: the canonical name (``"glove"``), as ``format=`` takes it and ``meta["format"]``
            records it.
        description: what it is, in a few words, for messages (``"GloVe text"``).
        read: the reader, ``read(path, options) -> ParsedVectors``.
        sniff: recognises the format from a file's first 64 KiB (decompressed); ``None`` for a
            format that is never detected, only asked for by name.
        write: the writer, ``write(vectors, path) -> Path``; ``None`` if the format is read-only.
        aliases: other spellings users may give for ``name`` (case does not matter).
        suffix: what the name of a file written in this format ends with (``".vec"``); unique
            among the formats, so files exported side by side do not collide.
        sniff_order: formats are asked in this order (lower first) and the first that
            recognises a file names its format; a format that claims less (any ``count dim``
            header) comes after those that claim more (a header then a text row).
        folder: the vectors are a folder (the native store), not a file.
        records_source: ``read_vectors`` records the file's name, size and this format in
            ``meta``; ``False`` for files that carry their own provenance (a native store
            keeps what it was made from).
        token_vectors: the format holds token vectors with their tokenizer (model2vec,
            WordLlama): only vectors that carry a tokenizer can be written in it.
    """

    name: str
    description: str
    read: Reader
    sniff: Sniffer | None = None
    write: Writer | None = None
    aliases: tuple[str, ...] = ()
    suffix: str = ""
    sniff_order: int = 100
    folder: bool = False
    records_source: bool = True
    token_vectors: bool = False

    @property
    def writable(self) -> bool:
        """True when vectors can be written in this format."""
        return self.write is not None


_PACKAGE = "nlptransfer.vectors.formats"


def _fold(name: str) -> str:
    return name.strip().lower()


#: Every vectors format by name: the built-in ones (registered by their modules, all imported
#: with :mod:`nlptransfer.vectors.formats`) and those of installed plugins.
VECTOR_FORMATS: Registry[VectorFormat] = Registry(
    "vectors format", "nlptransfer.formats", normalize=_fold
)


def _complete_registry() -> Registry[VectorFormat]:
    """:data:`VECTOR_FORMATS` with every built-in format in it.

    Importing the package :mod:`nlptransfer.vectors.formats` imports the format modules, which
    register themselves; asking the package makes sure that happened, however this module was
    imported (pytest's ``importlib`` mode may run a second copy of it for its doctests).
    """
    registry: Registry[VectorFormat] = import_module(_PACKAGE).VECTOR_FORMATS
    return registry


def register_format(fmt: VectorFormat) -> VectorFormat:
    """Add ``fmt`` to :data:`VECTOR_FORMATS` under its name and aliases; returns it.

    A format module calls it once, beside its reader; a plugin package may call it too, or
    name its format in the ``nlptransfer.formats`` entry point group (which registers the name
    alone, without aliases).

    Running a format module again (``importlib.reload``, IPython's autoreload, pytest's
    ``importlib`` import mode) registers the same definition again: the first one stays.

    Raises:
        NLPTransferError: the name or an alias is taken by another format.

    Example:
        >>> def read_mine(path, options): ...
        >>> register_format(VectorFormat("glove", "my GloVe", read=read_mine))
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.NLPTransferError: vectors format 'glove' is registered twice
    """
    registry = _complete_registry()
    try:
        registry.register(fmt.name, fmt, aliases=fmt.aliases)
    except NLPTransferError:
        if not _same_definition(registry.get(fmt.name), fmt):
            raise
    return fmt


def _same_definition(registered: Any, fmt: VectorFormat) -> bool:
    """Whether ``fmt`` is the registered format defined again by the same code."""
    ours, theirs = getattr(registered, "read", None), fmt.read
    return getattr(registered, "name", None) == fmt.name and (
        getattr(ours, "__module__", None),
        getattr(ours, "__qualname__", None),
    ) == (getattr(theirs, "__module__", None), getattr(theirs, "__qualname__", None))


def vector_format(name: str) -> VectorFormat:
    """The format called ``name`` (or one of its aliases, in any case).

    Raises:
        UnknownNameError: no format has that name (a ``ValueError``); the message suggests
            close names and lists the known ones.

    Example:
        >>> vector_format("ftz").name, vector_format("ftz").writable
        ('fasttext-bin', False)
    """
    registry = _complete_registry()
    fmt = registry.get(name)
    if not callable(getattr(fmt, "read", None)):  # duck-typed: this module may run twice
        source = registry.source(name)
        raise NLPTransferError(
            f"the vectors format {name!r} from {source} is a {type(fmt).__name__}, "
            "not a nlptransfer.vectors.formats.VectorFormat"
        )
    return fmt


def normalize_format(name: str) -> str:
    """Map a user's spelling of a format to its canonical name.

    Raises:
        UnknownNameError: no format has that name (a ``ValueError``).

    Example:
        >>> normalize_format("vec"), normalize_format(" GloVe ")
        ('word2vec-text', 'glove')
    """
    return vector_format(name).name


def available_formats() -> list[VectorFormat]:
    """Every registered format, in registration order; a plugin's format that fails to import
    is left out with a warning (asking for it by name raises the error).

    Example:
        >>> [f.name for f in available_formats()][:2]
        ['fasttext-bin', 'gensim']
    """
    registry = _complete_registry()
    formats = []
    for name in registry.names():
        try:
            formats.append(vector_format(name))
        except (ImportError, AttributeError, NLPTransferError) as exc:
            if registry.source(name) == "nlptransfer":
                raise
            logger.warning("leaving out the vectors format %r: %s", name, exc)
    return formats


def sniffing_order(*, folder: bool) -> list[VectorFormat]:
    """The formats that can recognise a file (or, with ``folder=True``, a folder), in the order
    they are asked.

    Example:
        >>> [f.name for f in sniffing_order(folder=False)]
        ['fasttext-bin', 'gensim', 'wordllama', 'word2vec-text', 'word2vec-bin', 'glove']
    """
    candidates = [f for f in available_formats() if f.sniff is not None and f.folder == folder]
    return sorted(candidates, key=lambda f: f.sniff_order)
