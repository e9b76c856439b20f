"""torchtext 0.18's ``Vectors``, ``GloVe``, ``FastText``, ``CharNGram`` and ``pretrained_aliases``.

The attributes and lookups are torchtext's: ``itos``, ``stoi``, ``vectors`` (a float tensor in
memory), ``dim``; an unknown word gets ``unk_init(torch.Tensor(dim))``, zeros by default. Where
the vectors come from is this library's business (:mod:`._vector_sources`): a path, the
catalogue (verified downloads, TLS on), a native store that makes every run after the first fast.

Example:
    >>> glove = GloVe(name="6B", dim=50)          # the catalogue's glove-6b-50d, offline
    >>> glove.vectors.shape, glove.dim, glove.stoi["the"], glove.itos[1]
    (torch.Size([400000, 50]), 50, 0, ',')
    >>> glove.get_vecs_by_tokens(["Movie", "qzxwv"], lower_case_backup=True).shape
    torch.Size([2, 50])
    >>> bool(glove["qzxwv"].eq(0).all())
    True
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial

import numpy as np
import torch

from nlptransfer.compat.torchtext._vector_sources import find_vectors

UnkInit = Callable[[torch.Tensor], torch.Tensor]


class Vectors:
    """Pretrained word vectors, looked up as torchtext's ``Vectors``.

    Args:
        name: a vectors file (any format this library reads: GloVe / word2vec / fastText text,
            word2vec or fastText binary, compressed or zipped, a native store), a file in
            ``cache`` (what torchtext left there), a catalogue name (``"glove-6b-100d"``) or
            torchtext's file name for one (``"glove.6B.100d.txt"``).
        cache: where torchtext kept its files; a file read from a path is stored natively here
            so the next run is fast. Catalogue names use this library's cache instead.
        url: where to download ``name`` from (the file, or an archive holding it) when it is
            none of the above; downloaded once, resumably, TLS verified.
        unk_init: called with an uninitialised tensor of ``dim`` floats for each unknown word;
            returns its vector. Default: ``torch.Tensor.zero_`` (zeros), as torchtext.
        max_vectors: keep the first ``max_vectors`` rows (files list frequent words first);
            ``None`` or 0: all.

    Attributes:
        itos: the words, in row order. stoi: word -> row. vectors: ``[len(itos), dim]`` float32
        tensor. dim: the dimension. meta: provenance (source, format, licence, ...).

    Raises:
        CompatError: the vectors are nowhere to be found (a ``RuntimeError``, as torchtext's).
        DownloadError, ChecksumMismatchError, OfflineError: a download failed or was not allowed.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "tiny.txt").write_text("cat 1 0\\ndog 0 1\\n")
        >>> v = Vectors("tiny.txt", cache=folder, unk_init=torch.Tensor.normal_)
        >>> v.itos, v.dim, len(v), "cat" in v, v["dog"].tolist()
        (['cat', 'dog'], 2, 2, True, [0.0, 1.0])
        >>> v["bird"].shape   # unknown: unk_init's vector (here random normal)
        torch.Size([2])
    """

    def __init__(
        self,
        name: str | os.PathLike[str],
        cache: str | os.PathLike[str] | None = ".vector_cache",
        url: str | None = None,
        unk_init: UnkInit | None = None,
        max_vectors: int | None = None,
    ) -> None:
        self.unk_init: UnkInit = torch.Tensor.zero_ if unk_init is None else unk_init
        found = find_vectors(name, cache=cache, url=url, max_vectors=max_vectors)
        self.itos: list[str] = list(found.words)
        self.stoi: dict[str, int] = found.key_to_index  # built for this load: ours alone
        # A copy in memory, writable as torchtext's (the store itself is a read-only memory-map).
        self.vectors: torch.Tensor = torch.from_numpy(np.array(found.matrix, dtype=np.float32))
        self.dim: int = found.dim
        self.meta = dict(found.meta)

    def __getitem__(self, token: str) -> torch.Tensor:
        """The row of ``token`` (a view into :attr:`vectors`), else ``unk_init``'s vector."""
        index = self.stoi.get(token)
        if index is not None:
            return self.vectors[index]
        return self.unk_init(torch.Tensor(self.dim))

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __len__(self) -> int:
        return len(self.vectors)

    def get_vecs_by_tokens(
        self, tokens: str | Iterable[str], lower_case_backup: bool = False
    ) -> torch.Tensor:
        """The vectors of ``tokens``: 1-D ``[dim]`` for one string, 2-D ``[len(tokens), dim]``
        for a list of them.

        Args:
            tokens: a token, or a list (any iterable) of tokens.
            lower_case_backup: look a token that is not found up again in lower case.

        Example:
            >>> glove = GloVe(name="6B", dim=50, max_vectors=1000)
            >>> glove.get_vecs_by_tokens("the").shape, glove.get_vecs_by_tokens(["the", "a"]).shape
            (torch.Size([50]), torch.Size([2, 50]))
            >>> bool(glove.get_vecs_by_tokens("The").eq(0).all())  # no backup: unknown, zeros
            True
            >>> bool(glove.get_vecs_by_tokens("The", lower_case_backup=True).equal(glove["the"]))
            True
        """
        single = isinstance(tokens, str)
        words = [tokens] if isinstance(tokens, str) else list(tokens)
        if lower_case_backup:
            rows = [self[w] if w in self.stoi else self[w.lower()] for w in words]
        else:
            rows = [self[w] for w in words]
        if not rows:
            return torch.empty((0, self.dim))
        stacked = torch.stack(rows)
        return stacked[0] if single else stacked

    def __repr__(self) -> str:
        source = self.meta.get("source")
        return f"{type(self).__name__}({len(self.itos)} words, dim={self.dim}, source={source!r})"


class GloVe(Vectors):
    """GloVe vectors by torchtext's corpus names: ``"6B"`` (50, 100, 200, 300 dimensions),
    ``"42B"`` and ``"840B"`` (300), ``"twitter.27B"`` (25, 50, 100, 200).

    Each is the catalogue's ``glove-<corpus>-<dim>d`` (``GloVe(name="6B", dim=50)`` is
    ``glove-6b-50d``, installed with this library, offline); a ``glove.<corpus>.<dim>d.txt``
    already in ``cache`` is read instead. Other keywords are :class:`Vectors`'.

    Raises:
        CompatError: no such corpus, or no such dimension for it.

    Example:
        >>> GloVe(name="6B", dim=50).meta["source"]
        'glove-6b-50d'
    """

    def __init__(self, name: str = "840B", dim: int | str = 300, **kwargs) -> None:
        super().__init__(f"glove.{name}.{dim}d.txt", **kwargs)


class FastText(Vectors):
    """fastText's Wikipedia vectors for a language, as torchtext named them (``wiki.<lang>.vec``).

    ``FastText(language="en")`` is the catalogue's ``fasttext-wiki-news-300d-1m`` (fastText's
    Wikipedia 2017 + UMBC + news vectors: the closest English release the catalogue holds to
    torchtext's ``wiki.en.vec``, which it does not hold). Other languages download
    ``https://dl.fbaipublicfiles.com/fasttext/vectors-wiki/wiki.<lang>.vec`` as torchtext did
    (TLS verified; no checksum is published, so a warning says so). Other keywords are
    :class:`Vectors`'.
    """

    url_base = "https://dl.fbaipublicfiles.com/fasttext/vectors-wiki/wiki.{}.vec"

    def __init__(self, language: str = "en", **kwargs) -> None:
        kwargs.setdefault("url", self.url_base.format(language))
        super().__init__(f"wiki.{language}.vec", **kwargs)


class CharNGram(Vectors):
    """Hashimoto et al.'s character n-gram vectors (``charNgram.txt``, 100 dimensions), looked
    up as torchtext did: a word's vector is the mean of its 2-, 3- and 4-gram vectors (with
    ``#BEGIN#`` and ``#END#`` marks), shaped ``[1, dim]``; a word with none is ``unk_init``'s.

    The file is read from ``cache`` when it is there, else downloaded from torchtext's URL
    (the authors' server; no checksum is published).
    """

    name = "charNgram.txt"
    url = (
        "http://www.logos.t.u-tokyo.ac.jp/~hassy/publications/arxiv2016jmt/"
        "jmt_pre-trained_embeddings.tar.gz"
    )

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("url", self.url)
        super().__init__(self.name, **kwargs)

    def __getitem__(self, token: str) -> torch.Tensor:
        vector = torch.zeros(1, self.dim)
        if token == "<unk>":
            return self.unk_init(vector)
        chars = ["#BEGIN#", *token, "#END#"]
        found = 0
        for n in (2, 3, 4):
            for start in range(len(chars) - n + 1):
                row = self.stoi.get(f"{n}gram-{''.join(chars[start : start + n])}")
                if row is not None:
                    vector += self.vectors[row]
                    found += 1
        return vector / found if found else self.unk_init(vector)


#: torchtext's names for pretrained vectors, where this library's catalogue has them:
#: ``pretrained_aliases["glove.6B.100d"]()`` is ``GloVe(name="6B", dim=100)``.
pretrained_aliases: dict[str, Callable[..., Vectors]] = {
    "fasttext.en.300d": partial(FastText, language="en"),
    "glove.42B.300d": partial(GloVe, name="42B", dim="300"),
    "glove.840B.300d": partial(GloVe, name="840B", dim="300"),
    **{
        f"glove.twitter.27B.{dim}d": partial(GloVe, name="twitter.27B", dim=str(dim))
        for dim in (25, 50, 100, 200)
    },
    **{f"glove.6B.{dim}d": partial(GloVe, name="6B", dim=str(dim)) for dim in (50, 100, 200, 300)},
}
