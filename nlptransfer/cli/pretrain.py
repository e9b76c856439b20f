"""``nlptransfer pretrain``: train word2vec / fastText vectors on a domain corpus (or adapt
published ones to it) and write them as a native store, plus files other tools read."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from nlptransfer.cli.console import console
from nlptransfer.text.tokenize import TOKENIZERS


def pretrain(
    corpus: list[Path] = typer.Option(
        ...,
        "--corpus",
        "-c",
        help="A text file, one document a line (plain, .gz or .bz2); repeat for more files.",
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="The native store to write (.ntv is added); exports go beside."
    ),
    algorithm: str = typer.Option("word2vec", "--algorithm", "-a", help="word2vec or fasttext."),
    dim: int | None = typer.Option(
        None, "--dim", min=1, help="Vector size (default 100, or that of --init)."
    ),
    epochs: int = typer.Option(5, "--epochs", min=1, help="Passes over the corpus."),
    min_count: int = typer.Option(
        5, "--min-count", min=1, help="Leave out words seen fewer times."
    ),
    window: int = typer.Option(5, "--window", min=1, help="Context words on each side."),
    workers: int | None = typer.Option(
        None, "--workers", "-j", min=1, help="Threads and processes (default: all cores)."
    ),
    skipgram: bool = typer.Option(False, "--skipgram/--cbow", help="Skip-gram or CBOW."),
    tokenizer: str = typer.Option(
        "spacy",
        "--tokenizer",
        help=f"One of: {', '.join(TOKENIZERS.names())} (whitespace: text already tokenised).",
    ),
    lowercase: bool | None = typer.Option(
        None,
        "--lowercase/--keep-case",
        help="Lowercase tokens (default: yes, or as the --init vectors are cased).",
    ),
    init: str | None = typer.Option(
        None,
        "--init",
        help="Published vectors to start from (name or path, e.g. glove-6b-50d): word2vec only.",
    ),
    keep_init_words: bool = typer.Option(
        True,
        "--keep-init-words/--corpus-words-only",
        help="With --init, keep the published words the corpus lacks, unchanged.",
    ),
    minn: int = typer.Option(3, "--minn", min=1, help="fastText: shortest character n-gram."),
    maxn: int = typer.Option(6, "--maxn", min=1, help="fastText: longest character n-gram."),
    bucket: int = typer.Option(
        2_000_000, "--bucket", min=1, help="fastText: n-gram hash buckets (memory: bucket x dim)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed (exact repeats need --workers 1)."),
    export: list[str] = typer.Option(
        [],
        "--export",
        help="Also write word2vec-bin, word2vec-text, glove or fasttext-bin; repeatable.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the training record as JSON."),
) -> None:
    """Train word2vec or fastText vectors on your own corpus; --init adapts published ones.

    Example: nlptransfer pretrain -c reviews.txt.gz -a fasttext -o reviews-ft
    """
    from nlptransfer.pretrain.training import pretrain_vectors

    gensim_logger = logging.getLogger("gensim")
    level = gensim_logger.level
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # gensim logs every step at INFO; our bars and per-epoch lines say what matters
        # (--verbose shows gensim's own lines too).
        gensim_logger.setLevel(logging.WARNING)
    try:
        vectors = pretrain_vectors(
            corpus,
            algorithm=algorithm,
            dim=dim,
            epochs=epochs,
            min_count=min_count,
            window=window,
            workers=workers,
            skipgram=skipgram,
            tokenizer=tokenizer,
            lowercase=lowercase,
            init=init,
            keep_init_words=keep_init_words,
            minn=minn,
            maxn=maxn,
            bucket=bucket,
            seed=seed,
            out=out,
            export=export,
        )
    finally:
        gensim_logger.setLevel(level)
    record = vectors.meta["pretrain"]
    if as_json:
        typer.echo(json.dumps({"store": vectors.meta["store_path"], **record}, indent=2))
        return
    subwords = ", with subword n-grams" if vectors.has_subwords else ""
    console.print(
        f"wrote {len(vectors):,} x {vectors.dim} {algorithm} vectors{subwords} to "
        f"{vectors.meta['store_path']}"
    )
    corpus_record = record["corpus"]
    console.print(
        f"corpus: {corpus_record['documents']:,} documents, {corpus_record['tokens']:,} tokens, "
        f"{corpus_record['vocabulary']:,} words with >= {min_count} occurrences; trained "
        f"{epochs} epochs in {record['train_seconds']:.1f} s ({record['words_per_second']:,} "
        "words/s)"
    )
    if "init" in record:
        adapted = record["init"]
        console.print(
            f"adapted from {adapted['source']}: {adapted['shared_words']:,} corpus words started "
            f"from it, {adapted['new_words']:,} started random, {adapted['kept_words']:,} "
            "published words kept unchanged"
        )
    for fmt, path in record.get("exports", {}).items():
        console.print(f"exported {fmt}: {path}")
