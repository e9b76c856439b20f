"""Train word2vec or fastText vectors on your own corpus, optionally starting from published ones.

The first kind of transfer learning: learn word vectors from plenty of unlabelled text of the
domain (reviews, tweets, clinical notes), then move them into a classifier for a small labelled
task. gensim does the training; this module streams the corpus, tokenises it with the project's
tokenizer (the same one the classifiers use), shows progress, and returns :class:`Vectors` (also
written as the native store, pickle-free) that ``load_vectors`` reopens.

How it runs:

1. :func:`~nlptransfer.pretrain.corpus.tokenize_corpus` tokenises the corpus once, streaming, into
   a temporary whitespace-separated file (spaCy by default, in ``workers`` processes).
2. gensim builds the vocabulary and trains from that file in ``corpus_file`` mode: each worker
   thread reads its own part of the file, without Python's GIL in the way. Measured on IMDB's
   25,000 training reviews (6.7 M words, 2 cores, 2 workers, dim 50): word2vec 540 k words/s with
   ``corpus_file`` and about the same from a Python iterable; fastText 40% faster with
   ``corpus_file`` (71 s against 116 s for 2 epochs). Re-tokenising every epoch with spaCy would
   add 75 s per epoch, which is why the corpus is tokenised once.
3. The trained vectors become :class:`Vectors`; fastText keeps its character n-gram table as a
   :class:`~nlptransfer.vectors.subword.FastTextSubwords`, so unseen words get vectors.

fastText with gensim: gensim's n-grams and hash are fastText's (the same FNV-1a with the
signed-char quirk, the same ``<``/``>`` rules), and its vector for a vocabulary word is the mean
of the word's own row and its n-gram rows, as fastText's. The rows kept are gensim's
``wv.vectors`` exactly, so ``result[word] == model.wv[word]`` bit for bit. An unseen word gets the
mean of its n-gram rows in both; gensim divides by the count where fastText (and
:class:`FastTextSubwords`) multiplies by its reciprocal, so the two agree to float32 rounding
(``allclose``), not always bit for bit. One real difference: fastText gives the end-of-sentence
token ``</s>`` no n-grams (a zero vector when it is unseen) while gensim gives it the n-grams of
``<</s>>``.

Domain adaptation (``init=``): the vocabulary is built from the corpus; every corpus word the
published vectors have starts training from its published vector (others start random, as
gensim starts them), and training continues on the corpus. The result holds the trained corpus
words and then, unless ``keep_init_words=False``, every published word the trained vocabulary
lacks with its published vector unchanged, bit for bit. Only word2vec adapts: a fastText word
vector is the mean of its own row and its n-gram rows, and published vectors without their
n-gram table (GloVe, word2vec) give nothing to start those rows from.

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> corpus = folder / "corpus.txt"
    >>> _ = corpus.write_text("the film was good\\nthe movie was bad\\n" * 50)
    >>> vectors = pretrain_vectors(corpus, dim=8, epochs=2, min_count=2, workers=1,
    ...                            tokenizer="whitespace", out=folder / "tiny", progress=False)
    >>> sorted(vectors.words)
    ['bad', 'film', 'good', 'movie', 'the', 'was']
    >>> from nlptransfer import load_vectors
    >>> load_vectors(folder / "tiny.ntv").dim
    8
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import CorpusError, PretrainError
from nlptransfer._util.files import atomic_output
from nlptransfer._util.progress import progress_enabled
from nlptransfer.pretrain.corpus import CorpusSource, corpus_files, tokenize_corpus
from nlptransfer.pretrain.progress import TrainingProgress
from nlptransfer.text.tokenize import Tokenizer
from nlptransfer.vectors.convert import writable_formats, write_vectors
from nlptransfer.vectors.formats import vector_format
from nlptransfer.vectors.formats.native import NATIVE_SUFFIX
from nlptransfer.vectors.load import load_vectors
from nlptransfer.vectors.store import Vectors, file_sha256

logger = logging.getLogger(__name__)

ALGORITHMS = ("word2vec", "fasttext")
#: gensim settings this module sets itself, so ``gensim_options`` may not.
_OWN_OPTIONS = frozenset(
    {
        "sentences",
        "corpus_iterable",
        "corpus_file",
        "vector_size",
        "window",
        "min_count",
        "workers",
        "sg",
        "seed",
        "epochs",
        "min_n",
        "max_n",
        "bucket",
        "callbacks",
        "compute_loss",
    }
)
#: Words looked at to decide whether published vectors are uncased.
_CASE_SAMPLE = 100_000


def _check_settings(
    algorithm: str,
    dim: int | None,
    epochs: int,
    min_count: int,
    window: int,
    minn: int,
    maxn: int,
    bucket: int,
    export: list[str],
    out: Any,
    options: Mapping[str, Any],
) -> None:
    if algorithm not in ALGORITHMS:
        raise PretrainError(
            f"unknown algorithm {algorithm!r}; expected one of: {', '.join(ALGORITHMS)}"
        )
    for name, value, low in (
        ("dim", dim, 1),
        ("epochs", epochs, 1),
        ("min_count", min_count, 1),
        ("window", window, 1),
    ):
        if value is not None and (not isinstance(value, int) or value < low):
            raise PretrainError(f"expected an integer >= {low} for {name}, found {value!r}")
    if algorithm == "fasttext" and not (1 <= minn <= maxn and bucket >= 1):
        raise PretrainError(
            f"expected 1 <= minn <= maxn and bucket >= 1 for fastText, found minn={minn}, "
            f"maxn={maxn}, bucket={bucket}"
        )
    exportable = export_formats()
    for fmt in export:
        if fmt not in exportable:
            raise PretrainError(
                f"unknown export format {fmt!r}; expected one of: {', '.join(exportable)}"
            )
    if "fasttext-bin" in export and algorithm != "fasttext":
        raise PretrainError("export 'fasttext-bin' needs algorithm='fasttext'")
    if export and out is None:
        raise PretrainError("export= writes files beside the native store: give out= as well")
    clash = sorted(set(options) & _OWN_OPTIONS)
    if clash:
        raise PretrainError(
            f"gensim_options may not set {clash}: use pretrain_vectors' own arguments"
        )


def is_uncased(vectors: Vectors, sample: int = _CASE_SAMPLE) -> bool:
    """True when none of the first ``sample`` words has an uppercase letter (GloVe 6B, say).

    Example:
        >>> import numpy as np
        >>> is_uncased(Vectors(["paris", "the"], np.zeros((2, 1), np.float32)))
        True
        >>> is_uncased(Vectors(["Paris", "the"], np.zeros((2, 1), np.float32)))
        False
    """
    return all(word == word.lower() for word in vectors.words[:sample])


def _resolve_init(
    init: Vectors | str | os.PathLike[str] | None,
    algorithm: str,
    dim: int | None,
    tokenizer: str | Tokenizer,
    lowercase: bool | None,
) -> tuple[Vectors | None, int, bool | None]:
    """``(init vectors, dim, lowercase)`` after checking they can work together."""
    if init is None:
        return None, dim or 100, lowercase
    if algorithm != "word2vec":
        raise PretrainError(
            "init= (domain adaptation) works with algorithm='word2vec' only: a fastText word "
            "vector averages its own row with its character n-gram rows, and published vectors "
            "without an n-gram table give nothing to start those from"
        )
    if not isinstance(init, Vectors):
        init = load_vectors(init)
    if dim is not None and dim != init.dim:
        raise PretrainError(
            f"dim={dim} differs from the {init.dim} dimensions of the init vectors "
            f"{init.source or ''}; leave dim unset to use {init.dim}"
        )
    case_given = tokenizer.lowercase if isinstance(tokenizer, Tokenizer) else lowercase
    if is_uncased(init):
        if case_given is False:
            raise PretrainError(
                f"the init vectors {init.source or ''} are uncased (no uppercase word among the "
                "first words), so capitalised corpus words would find no published vector: "
                "lowercase the corpus (lowercase=True)"
            )
        if not isinstance(tokenizer, Tokenizer):
            lowercase = True
    elif case_given is None:
        lowercase = False  # cased published vectors: keep the corpus' case to match them
    elif case_given:
        logger.warning(
            "the init vectors %s are cased but the corpus is lowercased: only their lowercase "
            "words can start from a published vector",
            init.source or "",
        )
    return init, init.dim, lowercase


def _build_model(
    algorithm: str,
    *,
    dim: int,
    window: int,
    min_count: int,
    workers: int,
    skipgram: bool,
    seed: int,
    minn: int,
    maxn: int,
    bucket: int,
    options: Mapping[str, Any],
) -> Any:
    from gensim.models import FastText, Word2Vec

    common = dict(
        vector_size=dim,
        window=window,
        min_count=min_count,
        workers=workers,
        sg=int(skipgram),
        seed=seed,
        **options,
    )
    if algorithm == "word2vec":
        return Word2Vec(**common)
    return FastText(min_n=minn, max_n=maxn, bucket=bucket, **common)


def _start_from(model: Any, init: Vectors) -> dict[str, int]:
    """Copy the published row of every vocabulary word the init vectors have into the model."""
    kv = model.wv
    shared = [(row, init.key_to_index[w]) for row, w in enumerate(kv.index_to_key) if w in init]
    if shared:
        rows, init_rows = (np.asarray(x, dtype=np.int64) for x in zip(*shared, strict=True))
        kv.vectors[rows] = np.asarray(init.matrix[init_rows], dtype=np.float32)
    logger.info(
        "adaptation: %d of %d corpus words start from their %s vector; %d start random",
        len(shared),
        len(kv),
        init.source or "published",
        len(kv) - len(shared),
    )
    return {"shared_words": len(shared), "new_words": len(kv) - len(shared)}


def vectors_from_gensim(kv: Any, meta: Mapping[str, Any] | None = None) -> Vectors:
    """:meth:`Vectors.from_gensim <nlptransfer.vectors.Vectors.from_gensim>`, kept under this
    name for code that imports it from here: the words and rows of gensim ``KeyedVectors``, and
    for ``FastTextKeyedVectors`` with n-grams the subword model too.

    Example:
        >>> from gensim.models import FastText
        >>> model = FastText([["good", "film"], ["bad", "film"]], vector_size=4, min_count=1,
        ...                  bucket=100, epochs=1, workers=1)
        >>> v = vectors_from_gensim(model.wv)
        >>> v.has_subwords, bool(np.allclose(v.vector("films"), model.wv["films"]))
        (True, True)
    """
    return Vectors.from_gensim(kv, dict(meta or {}))


def _with_init_words(trained: Vectors, init: Vectors) -> tuple[Vectors, int]:
    """``trained`` followed by the init words it lacks, with their published rows unchanged."""
    index = trained.key_to_index
    extra = np.fromiter(
        (row for row, word in enumerate(init.words) if word not in index), dtype=np.int64
    )
    if extra.size == 0:
        return trained, 0
    words = trained.words + [init.words[row] for row in extra]
    matrix = np.concatenate([trained.matrix, np.asarray(init.matrix[extra], dtype=np.float32)])
    return Vectors(words, matrix, meta=trained.meta), int(extra.size)


def _save_fasttext_model(model: Any, target: Path) -> None:
    from gensim.models.fasttext import save_facebook_model

    with atomic_output(target) as tmp:
        save_facebook_model(model, str(tmp))


#: Exports written from the trained gensim model rather than from its vectors: fastText's own
#: binary holds the whole model (n-gram table, settings), which ``Vectors`` do not.
_MODEL_EXPORTS = {"fasttext-bin": _save_fasttext_model}


def export_formats() -> tuple[str, ...]:
    """What ``export=`` takes: every format :func:`write_vectors` writes except the native store
    (always written, as ``out``) and those of token vectors (model2vec), and fastText's binary
    model.

    Each export is written beside the store, named ``out`` plus the format's suffix.

    Example:
        >>> for name in sorted(export_formats()):
        ...     print(name, vector_format(name).suffix)
        fasttext-bin .fasttext.bin
        glove .glove.txt
        spacy .spacy-pipeline
        word2vec-bin .bin
        word2vec-text .vec
    """
    from_vectors = (
        name
        for name in writable_formats()
        if name != "native" and not vector_format(name).token_vectors
    )
    return (*from_vectors, *_MODEL_EXPORTS)


def _export(vectors: Vectors, model: Any, stem: Path, formats: list[str]) -> dict[str, str]:
    written = {}
    for fmt in formats:
        target = stem.with_name(stem.name + vector_format(fmt).suffix)
        save_model = _MODEL_EXPORTS.get(fmt)
        if save_model is not None:
            save_model(model, target)
        else:
            write_vectors(vectors, target, fmt)
        written[fmt] = str(target)
        logger.info("exported %s to %s", fmt, target)
    return written


def _stem(out: str | os.PathLike[str]) -> Path:
    path = Path(out)
    return (
        path.with_name(path.name[: -len(NATIVE_SUFFIX)]) if path.suffix == NATIVE_SUFFIX else path
    )


def pretrain_vectors(
    corpus: CorpusSource,
    *,
    algorithm: str = "word2vec",
    dim: int | None = None,
    epochs: int = 5,
    min_count: int = 5,
    window: int = 5,
    workers: int | None = None,
    skipgram: bool = False,
    tokenizer: str | Tokenizer = "spacy",
    lowercase: bool | None = None,
    init: Vectors | str | os.PathLike[str] | None = None,
    keep_init_words: bool = True,
    minn: int = 3,
    maxn: int = 6,
    bucket: int = 2_000_000,
    seed: int = 0,
    out: str | os.PathLike[str] | None = None,
    export: str | Sequence[str] | None = None,
    gensim_options: Mapping[str, Any] | None = None,
    tmp_dir: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> Vectors:
    """Train word2vec or fastText vectors on a corpus with gensim; optionally adapt published ones.

    Args:
        corpus: a text file or a list of them, one document a line, plain, ``.gz`` or ``.bz2``;
            streamed, never held in memory whole.
        algorithm: ``word2vec`` or ``fasttext`` (with character n-grams: vectors for any word).
        dim: vector size (default 100, or the ``init`` vectors' size, which it must equal).
        epochs: passes over the corpus.
        min_count: words seen fewer times are left out of the vocabulary.
        window: context words on each side.
        workers: training threads and tokenising processes (default: all cores).
        skipgram: skip-gram instead of CBOW (gensim's default, faster).
        tokenizer: ``spacy`` (default, as the classifiers), ``regex``, ``whitespace`` (for text
            already tokenised) or a :class:`~nlptransfer.text.tokenize.Tokenizer`.
        lowercase: lowercase tokens; default yes, or as the ``init`` vectors are (uncased GloVe
            6B: yes; cased vectors: no); lowercase=False with uncased init is an error.
        init: published vectors to start from (a :class:`Vectors`, a path or a catalogue name
            such as ``glove-6b-100d``): domain adaptation, word2vec only.
        keep_init_words: with ``init``, also keep the published words the corpus vocabulary
            lacks, with their published vectors unchanged.
        minn, maxn: fastText's shortest and longest character n-grams.
        bucket: fastText's n-gram hash buckets (2 M as fastText: ``bucket * dim`` floats).
        seed: random seed; runs repeat exactly only with ``workers=1`` (threads race otherwise).
        out: write the native store here (``.ntv`` added), atomically.
        export: also write ``word2vec-bin`` (``<out>.bin``), ``word2vec-text`` (``<out>.vec``),
            ``glove`` (``<out>.glove.txt``) or, for fastText, ``fasttext-bin``
            (``<out>.fasttext.bin``, Facebook's format, readable by ``fasttext.load_model``).
        gensim_options: more settings for gensim's ``Word2Vec``/``FastText`` (``negative``,
            ``sample``, ``alpha``, ...).
        tmp_dir: where the tokenised copy of the corpus goes while training (default: beside
            ``out``, else the system's temporary folder); it is removed afterwards.
        progress: progress bars (default: on a terminal or in Jupyter, see ``progress_enabled``).

    Returns:
        The vectors, with the settings, corpus counts and per-epoch timings (and word2vec loss)
        under ``meta["pretrain"]``; ``meta["store_path"]`` names the store when ``out`` is given.

    Raises:
        CorpusNotFoundError: a corpus file is missing.
        CorpusError: a corpus file is corrupt, truncated or binary; the corpus has no token; or
            no word occurs ``min_count`` times.
        PretrainError: settings that cannot work together.

    Example:
        >>> import pathlib, tempfile
        >>> corpus = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
        >>> _ = corpus.write_text("a fine film\\na fine movie\\n" * 20)
        >>> ft = pretrain_vectors(corpus, algorithm="fasttext", dim=4, epochs=1, min_count=1,
        ...                       bucket=1000, workers=1, tokenizer="whitespace", progress=False)
        >>> ft.has_subwords, "films" in ft, ft.vector("films").shape
        (True, False, (4,))
    """
    exports = [export] if isinstance(export, str) else list(export or [])
    options = dict(gensim_options or {})
    _check_settings(
        algorithm, dim, epochs, min_count, window, minn, maxn, bucket, exports, out, options
    )
    files = corpus_files(corpus)
    init_vectors, dim, lowercase = _resolve_init(init, algorithm, dim, tokenizer, lowercase)
    workers = max(1, workers or os.cpu_count() or 1)
    show = progress_enabled(progress)
    started = time.perf_counter()
    scratch = tmp_dir if tmp_dir is not None else (Path(out).parent if out is not None else None)
    if scratch is not None:
        Path(scratch).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".nlptransfer-pretrain-", dir=scratch) as folder:
        tokens_file = Path(folder) / "tokens.txt"
        stats = tokenize_corpus(
            files,
            tokens_file,
            tokenizer=tokenizer,
            lowercase=lowercase,
            workers=workers,
            progress=show,
        )
        model = _build_model(
            algorithm,
            dim=dim,
            window=window,
            min_count=min_count,
            workers=workers,
            skipgram=skipgram,
            seed=seed,
            minn=minn,
            maxn=maxn,
            bucket=bucket,
            options=options,
        )
        model.build_vocab(corpus_file=str(tokens_file))
        if len(model.wv) == 0:
            raise CorpusError(
                ", ".join(stats.files),
                f"expected words occurring at least min_count={min_count} times, found none among "
                f"{stats.tokens:,} tokens in {stats.documents:,} documents; lower min_count or "
                "give more text",
            )
        adaptation = _start_from(model, init_vectors) if init_vectors is not None else None
        training = TrainingProgress(
            epochs=epochs, corpus_words=model.corpus_total_words, enabled=show
        )
        train_started = time.perf_counter()
        with training:
            model.train(
                corpus_file=str(tokens_file),
                total_words=model.corpus_total_words,
                epochs=epochs,
                compute_loss=algorithm == "word2vec",
                callbacks=[training.callback()],
            )
        train_seconds = time.perf_counter() - train_started
    import gensim

    record: dict[str, Any] = {
        "algorithm": algorithm,
        "dim": dim,
        "epochs": epochs,
        "min_count": min_count,
        "window": window,
        "skipgram": skipgram,
        "seed": seed,
        "workers": workers,
        "gensim_options": options,
        "gensim_version": gensim.__version__,
        "corpus": {
            **stats.to_dict(),
            "sha256": [file_sha256(f) for f in files],
            "vocabulary": len(model.wv),
        },
        "train_seconds": round(train_seconds, 3),
        "words_per_second": round(epochs * model.corpus_total_words / max(train_seconds, 1e-9)),
        "epoch_log": training.epochs_done,
    }
    if algorithm == "fasttext":
        record.update(minn=minn, maxn=maxn, bucket=bucket)
    name = str(_stem(out)) if out is not None else f"pretrained {algorithm}"
    meta = {"source": name, "format": f"pretrained-{algorithm}", "pretrain": record}
    vectors = Vectors.from_gensim(model.wv, meta)
    if init_vectors is not None and adaptation is not None:
        kept = 0
        if keep_init_words:
            vectors, kept = _with_init_words(vectors, init_vectors)
        record["init"] = {"source": init_vectors.source, **adaptation, "kept_words": kept}
    record["seconds"] = round(time.perf_counter() - started, 3)
    logger.info(
        "trained %s: %s words x %d in %.1f s (%s words/s)",
        algorithm,
        f"{len(vectors):,}",
        dim,
        train_seconds,
        f"{record['words_per_second']:,}",
    )
    if out is not None:
        stem = _stem(out)
        if exports:
            record["exports"] = _export(vectors, model, stem, exports)
        store = vectors.save(stem)
        vectors.meta["store_path"] = str(store.resolve())
        logger.info("wrote %s", store)
    return vectors
