"""Intrinsic evaluation of word vectors: ``nlptransfer.intrinsic.word_similarity`` and
``nlptransfer.intrinsic.analogies``, with gensim's numbers (see
:mod:`nlptransfer.vectors.intrinsic`). Extrinsic evaluation, a trained classifier's accuracy,
is the ``nlptransfer evaluate`` command.

Example:
    >>> from nlptransfer import intrinsic, load_vectors
    >>> glove = load_vectors("glove-6b-50d")
    >>> r = intrinsic.word_similarity(glove, intrinsic.benchmark_file("wordsim353.tsv"))
    >>> round(r.pearson, 4)
    0.5066
"""

from nlptransfer.vectors.intrinsic import (
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
