"""Intrinsic evaluation of word vectors: ``nlptransfer.evaluate.word_similarity`` and
``nlptransfer.evaluate.analogies``, with gensim's numbers (see :mod:`nlptransfer.vectors.evaluate`).

Example:
    >>> from nlptransfer import evaluate, load_vectors
    >>> glove = load_vectors("glove-6b-50d")
    >>> r = evaluate.word_similarity(glove, evaluate.benchmark_file("wordsim353.tsv"))
    >>> round(r.pearson, 4)
    0.5066
"""

from nlptransfer.vectors.evaluate import (
    BENCHMARK_FILES,
    AnalogyResult,
    AnalogySection,
    WordSimilarityResult,
    analogies,
    benchmark_file,
    read_analogies,
    word_similarity,
)

__all__ = [
    "BENCHMARK_FILES",
    "AnalogyResult",
    "AnalogySection",
    "WordSimilarityResult",
    "analogies",
    "benchmark_file",
    "read_analogies",
    "word_similarity",
]
