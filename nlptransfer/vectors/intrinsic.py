"""Intrinsic evaluation: word-similarity correlations and analogy accuracy, numbers as gensim's.

:func:`word_similarity` scores WordSim-353 / SimLex-999 style files (``word1 <TAB> word2 <TAB>
score``, ``#`` comments) by Spearman and Pearson correlation; :func:`analogies` scores Google's
``questions-words.txt`` (``: section`` headers, then ``a b c d`` lines: a is to b as c is to d).
With the same arguments they give the numbers of gensim's ``KeyedVectors.evaluate_word_pairs``
and ``evaluate_word_analogies`` (4.x), following their rules exactly:

- only the first ``restrict_vocab`` rows count (300,000 by default); a pair or question with a
  word outside them is out of vocabulary: skipped, or scored 0 / wrong with ``dummy4unknown``;
- case-insensitive matching folds the file's words and the vocabulary's words the same way;
  when several vocabulary words fold alike, the first (most frequent) row stands for them all;
- an analogy is solved by 3CosAdd over those rows, the three question words' rows excluded;
  the answer is the first of the top five whose folded form is none of the question words;
- accuracy is correct / (correct + incorrect) per section and in total (``Total accuracy``),
  0.0 for a section with no question in vocabulary.

Case folding uses Python's ``str`` methods, which apply Unicode's default, locale-independent
case mappings: the results never depend on the process locale (gensim issue 2999 asks for this;
Turkish dotted and dotless i are therefore folded as in every other language). ``fold="upper"``
(the default) is what gensim and word2vec's ``compute-accuracy`` do; ``"lower"`` is what
fastText's ``compute_accuracy.py`` does; ``"casefold"`` is full Unicode case folding
(``"Straße"`` matches ``"strasse"``). They differ only for the few characters whose upper and
lower forms do not round-trip (``ß``, ``ı``, ``ς``, ``ſ``, ligatures).

gensim ships the standard files: :func:`benchmark_file` finds them.

Example:
    >>> from nlptransfer import load_vectors
    >>> glove = load_vectors("glove-6b-50d")
    >>> result = word_similarity(glove, benchmark_file("wordsim353.tsv"))
    >>> round(result.spearman, 4), result.pairs, result.oov
    (0.5033, 353, 0)
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nlptransfer._util.errors import DatasetError, MissingExtraError
from nlptransfer.vectors.analogy import AnalogyMethod, analogy_rows, check_method
from nlptransfer.vectors.correlation import pearsonr, spearmanr
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

Fold = Literal["upper", "lower", "casefold"]
FOLDS: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "lower": str.lower,
    "casefold": str.casefold,
}
#: gensim's default: only the first 300,000 (most frequent) words take part.
DEFAULT_RESTRICT_VOCAB = 300_000
#: The answer is searched among the best ``ANALOGY_TOPN`` rows (gensim's ``topn=5``).
ANALOGY_TOPN = 5
#: The standard evaluation files shipped in gensim's test data.
BENCHMARK_FILES = ("wordsim353.tsv", "simlex999.txt", "questions-words.txt")


def benchmark_file(name: str) -> Path:
    """The path of a standard evaluation file shipped with gensim (``BENCHMARK_FILES``).

    Example:
        >>> benchmark_file("questions-words.txt").name
        'questions-words.txt'
    """
    spec = importlib.util.find_spec("gensim")  # locate without importing gensim (slow, chatty)
    if spec is None:
        raise MissingExtraError(
            f"the standard evaluation files ({', '.join(BENCHMARK_FILES)}) ship with gensim, which "
            "is not installed; give your own files, or pip install 'nlptransfer[pretrain]'"
        )
    folders = list(spec.submodule_search_locations or [])
    path = Path(folders[0] if folders else "gensim") / "test" / "test_data" / name
    if not path.is_file():
        raise DatasetError(
            f"expected gensim's evaluation file {name!r} at {path}, found nothing; "
            f"gensim ships {', '.join(BENCHMARK_FILES)}"
        )
    return path


def folder(case_insensitive: bool, fold: Fold = "upper") -> Callable[[str], str]:
    """The function that makes two words compare equal: a ``str`` case mapping, or identity.

    Example:
        >>> folder(True, "lower")("KİNG"), folder(True)("straße"), folder(False)("King")
        ('ki̇ng', 'STRASSE', 'King')
    """
    if not case_insensitive:
        return str
    try:
        return FOLDS[fold]
    except KeyError:
        raise ValueError(f"expected fold one of {sorted(FOLDS)}, got {fold!r}") from None


def folded_vocab(
    vectors: Vectors, restrict_vocab: int | None, fold: Callable[[str], str]
) -> dict[str, int]:
    """Folded word -> row of its first occurrence among the first ``restrict_vocab`` rows.

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["The", "the", "cat"], np.eye(3, dtype=np.float32))
        >>> folded_vocab(v, 2, str.lower)
        {'the': 0}
    """
    vocab: dict[str, int] = {}
    for row, word in enumerate(vectors.words[:restrict_vocab]):
        vocab.setdefault(fold(word), row)
    return vocab


def _lines(path: str | Path, encoding: str) -> Iterator[tuple[int, str]]:
    try:
        with open(path, encoding=encoding) as f:
            yield from enumerate(f, start=1)
    except FileNotFoundError:
        raise DatasetError(f"{path}: expected an evaluation file, found no such file") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: expected {encoding} text, found {exc}") from None


# -- word similarity -------------------------------------------------------------------------
@dataclass
class WordSimilarityResult:
    """Correlation of cosine similarities with human judgements (as gensim reports them).

    Attributes:
        path: the evaluation file.
        pearson, pearson_pvalue: Pearson's r with its two-sided p-value.
        spearman, spearman_pvalue: Spearman's rho with its two-sided p-value.
        pairs: pairs scored (with ``dummy4unknown``, out-of-vocabulary pairs included as 0).
        oov: pairs with a word outside the first ``restrict_vocab`` rows.
        oov_ratio: ``oov`` as a percentage, as gensim's third return value.
        oov_pairs: those pairs (folded), in file order.
        skipped_lines: malformed lines (1-based numbers).
    """

    path: str
    pearson: float
    pearson_pvalue: float
    spearman: float
    spearman_pvalue: float
    pairs: int
    oov: int
    oov_ratio: float
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB
    oov_pairs: list[tuple[str, str]] = field(default_factory=list, repr=False)
    skipped_lines: list[int] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        data = dict(self.__dict__)
        data["oov_pairs"] = [list(p) for p in self.oov_pairs]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def word_similarity(
    vectors: Vectors,
    path: str | Path,
    *,
    delimiter: str = "\t",
    encoding: str = "utf8",
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    fold: Fold = "upper",
    dummy4unknown: bool = False,
) -> WordSimilarityResult:
    """Spearman and Pearson correlation of the vectors' cosines with a file of human scores.

    Lines are ``word1<delimiter>word2<delimiter>score``; lines starting with ``#`` are comments
    and malformed lines are skipped (logged), as gensim's ``evaluate_word_pairs`` does.

    Args:
        vectors: the vectors to evaluate.
        path: a WordSim-353 / SimLex-999 style file.
        delimiter: the field separator.
        encoding: the file's text encoding.
        restrict_vocab: only the first rows take part (``None``: all).
        case_insensitive: fold the file's and the vocabulary's words alike (see ``fold``).
        fold: ``"upper"`` (gensim), ``"lower"`` or ``"casefold"``; locale-independent.
        dummy4unknown: score out-of-vocabulary pairs as similarity 0 instead of skipping them.

    Raises:
        DatasetError: the file is missing, not ``encoding`` text, or has no usable pair.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> r = word_similarity(glove, benchmark_file("simlex999.txt"))
        >>> round(r.pearson, 4), r.oov
        (0.2923, 1)
    """
    fold_word = folder(case_insensitive, fold)
    vocab = folded_vocab(vectors, restrict_vocab, fold_word)
    matrix = vectors.matrix
    gold: list[float] = []
    model: list[float] = []
    oov_pairs: list[tuple[str, str]] = []
    skipped: list[int] = []
    for number, line in _lines(path, encoding):
        if not line or line.startswith("#"):
            continue
        parts = line.split(delimiter)
        try:
            a, b, score = parts
            human = float(score)
        except ValueError:
            logger.info("skipping malformed line %d of %s: %r", number, path, line)
            skipped.append(number)
            continue
        a, b = fold_word(a), fold_word(b)
        if a not in vocab or b not in vocab:
            oov_pairs.append((a, b))
            if dummy4unknown:
                gold.append(human)
                model.append(0.0)
            continue
        u = np.asarray(matrix[vocab[a]], dtype=np.float64)
        v = np.asarray(matrix[vocab[b]], dtype=np.float64)
        norms = np.linalg.norm(u) * np.linalg.norm(v)
        gold.append(human)
        model.append(float(u @ v / norms) if norms > 0 else 0.0)
    if not gold:
        raise DatasetError(
            f"{path}: expected lines 'word1{delimiter!r}word2{delimiter!r}score' with words in the "
            f"vocabulary, found no usable pair ({len(oov_pairs)} out of vocabulary, "
            f"{len(skipped)} malformed)"
        )
    pearson = pearsonr(gold, model)
    spearman = spearmanr(gold, model)
    oov = len(oov_pairs)
    denominator = len(gold) if dummy4unknown else len(gold) + oov
    result = WordSimilarityResult(
        path=str(path),
        pearson=float(pearson[0]),
        pearson_pvalue=float(pearson[1]),
        spearman=float(spearman[0]),
        spearman_pvalue=float(spearman[1]),
        pairs=len(gold),
        oov=oov,
        oov_ratio=100.0 * oov / denominator,
        restrict_vocab=restrict_vocab,
        oov_pairs=oov_pairs,
        skipped_lines=skipped,
    )
    logger.info(
        "%s: Spearman %.4f, Pearson %.4f, %d pairs, %.1f%% out of vocabulary",
        Path(path).name,
        result.spearman,
        result.pearson,
        result.pairs,
        result.oov_ratio,
    )
    return result


# -- analogies -------------------------------------------------------------------------------
Question = tuple[str, str, str, str]


@dataclass
class AnalogySection:
    """One section of an analogy file: the questions answered right and wrong (folded words)."""

    name: str
    correct: list[Question] = field(default_factory=list, repr=False)
    incorrect: list[Question] = field(default_factory=list, repr=False)

    @property
    def n_correct(self) -> int:
        """Questions answered right."""
        return len(self.correct)

    @property
    def n_questions(self) -> int:
        """Questions scored (right or wrong)."""
        return len(self.correct) + len(self.incorrect)

    @property
    def accuracy(self) -> float:
        """``correct / scored``; 0.0 when nothing was scored, as gensim."""
        return self.n_correct / self.n_questions if self.n_questions else 0.0

    def to_dict(self, questions: bool = False) -> dict[str, Any]:
        """Name, counts and accuracy (and the questions themselves with ``questions=True``)."""
        data: dict[str, Any] = {
            "section": self.name,
            "correct": self.n_correct,
            "questions": self.n_questions,
            "accuracy": self.accuracy,
        }
        if questions:
            data["correct_questions"] = [list(q) for q in self.correct]
            data["incorrect_questions"] = [list(q) for q in self.incorrect]
        return data


@dataclass
class AnalogyResult:
    """Analogy accuracy overall and per section.

    Attributes:
        path: the evaluation file.
        sections: the file's sections in order (``total`` not included).
        total: all sections together, named ``Total accuracy`` as in gensim.
        questions: well-formed questions in the file.
        oov: questions with a word outside the first ``restrict_vocab`` rows.
        method: ``3cosadd`` or ``3cosmul``.
    """

    path: str
    sections: list[AnalogySection]
    total: AnalogySection
    questions: int
    oov: int
    method: str = "3cosadd"
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB
    skipped_lines: list[int] = field(default_factory=list, repr=False)

    @property
    def accuracy(self) -> float:
        """Overall accuracy (gensim's first return value)."""
        return self.total.accuracy

    @property
    def oov_ratio(self) -> float:
        """Out-of-vocabulary questions as a percentage of all questions."""
        return 100.0 * self.oov / self.questions if self.questions else 0.0

    def section(self, name: str) -> AnalogySection:
        """The section called ``name`` (``"Total accuracy"`` for the total)."""
        for section in [*self.sections, self.total]:
            if section.name == name:
                return section
        raise KeyError(f"no section {name!r}; sections: {[s.name for s in self.sections]}")

    def as_gensim(self) -> tuple[float, list[dict[str, Any]]]:
        """The result in the shape ``KeyedVectors.evaluate_word_analogies`` returns."""
        sections = [
            {"section": s.name, "correct": list(s.correct), "incorrect": list(s.incorrect)}
            for s in [*self.sections, self.total]
        ]
        return self.accuracy, sections

    def to_dict(self, questions: bool = False) -> dict[str, Any]:
        """A JSON-ready dict: totals and one entry per section."""
        return {
            "path": self.path,
            "method": self.method,
            "restrict_vocab": self.restrict_vocab,
            "accuracy": self.accuracy,
            "correct": self.total.n_correct,
            "scored": self.total.n_questions,
            "questions": self.questions,
            "oov": self.oov,
            "oov_ratio": self.oov_ratio,
            "sections": [s.to_dict(questions) for s in self.sections],
            "skipped_lines": self.skipped_lines,
        }

    def to_json(self, indent: int | None = 2, questions: bool = False) -> str:
        """:meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(questions), indent=indent, ensure_ascii=False)


def read_analogies(
    path: str | Path, fold: Callable[[str], str] = str, encoding: str = "utf8"
) -> tuple[list[tuple[str, list[Question]]], list[int]]:
    """The sections of an analogy file, each ``(name, questions)``, and the skipped lines.

    Raises:
        DatasetError: a question comes before the first ``: section`` line, or the file holds
            no question at all.

    Example:
        >>> sections, skipped = read_analogies(benchmark_file("questions-words.txt"))
        >>> sections[0][0], sections[0][1][0], len(sections), skipped
        ('capital-common-countries', ('Athens', 'Greece', 'Baghdad', 'Iraq'), 14, [])
    """
    sections: list[tuple[str, list[Question]]] = []
    skipped: list[int] = []
    for number, line in _lines(path, encoding):
        if line.startswith(": "):
            sections.append((line.lstrip(": ").strip(), []))
            continue
        if not sections:
            raise DatasetError(
                f"{path}, line {number}: expected a ': section' header before the first "
                f"question, found {line.strip()!r}"
            )
        words = line.split()
        if len(words) != 4:
            logger.info("skipping malformed line %d of %s: %r", number, path, line)
            skipped.append(number)
            continue
        a, b, c, d = (fold(w) for w in words)
        sections[-1][1].append((a, b, c, d))
    if not any(questions for _, questions in sections):
        raise DatasetError(
            f"{path}: expected analogy questions (': section' lines, then four words a line), "
            f"found none ({len(skipped)} malformed lines)"
        )
    return sections, skipped


def analogies(
    vectors: Vectors,
    path: str | Path,
    *,
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    fold: Fold = "upper",
    dummy4unknown: bool = False,
    method: AnalogyMethod = "3cosadd",
    encoding: str = "utf8",
) -> AnalogyResult:
    """Accuracy on an analogy file (Google's ``questions-words.txt`` format), all at once.

    Every question is solved in one batched search over the first ``restrict_vocab`` rows, with
    gensim's rules (see the module docstring), so the numbers equal
    ``KeyedVectors.evaluate_word_analogies`` with the same arguments (for ``3cosadd``, the only
    method gensim evaluates), many times faster.

    Args:
        vectors: the vectors to evaluate.
        path: the analogy file.
        restrict_vocab: only the first rows are questions' words and answers (``None``: all).
        case_insensitive: fold the file's and the vocabulary's words alike (see ``fold``).
        fold: ``"upper"`` (gensim), ``"lower"`` or ``"casefold"``; locale-independent.
        dummy4unknown: count out-of-vocabulary questions as wrong instead of skipping them.
        method: ``"3cosadd"`` (gensim, word2vec) or ``"3cosmul"`` (Levy and Goldberg 2014).
        encoding: the file's text encoding.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> r = analogies(glove, benchmark_file("questions-words.txt"), restrict_vocab=10000)
        >>> round(r.accuracy, 4), r.section("family").n_correct
        (0.5853, 173)
    """
    check_method(method)
    fold_word = folder(case_insensitive, fold)
    vocab = folded_vocab(vectors, restrict_vocab, fold_word)
    parsed, skipped = read_analogies(path, fold_word, encoding)
    sections = [AnalogySection(name) for name, _ in parsed]
    known = [
        question
        for _, questions in parsed
        for question in questions
        if all(word in vocab for word in question)
    ]
    rows = np.array([[vocab[w] for w in q[:3]] for q in known], dtype=np.int64).reshape(-1, 3)
    predictions = iter(
        analogy_rows(
            vectors.unit_view(), rows, ANALOGY_TOPN, method=method, restrict_vocab=restrict_vocab
        )
    )
    oov = 0
    for section, (_, questions) in zip(sections, parsed, strict=True):
        for question in questions:  # in file order, as gensim lists them
            if not all(word in vocab for word in question):
                oov += 1
                if dummy4unknown:
                    section.incorrect.append(question)
                continue
            ignore = set(question[:3])
            predicted = None
            for row in next(predictions):
                predicted = fold_word(vectors.words[row])
                if predicted not in ignore:
                    break
            (section.correct if predicted == question[3] else section.incorrect).append(question)
    total = AnalogySection(
        "Total accuracy",
        correct=list(itertools.chain.from_iterable(s.correct for s in sections)),
        incorrect=list(itertools.chain.from_iterable(s.incorrect for s in sections)),
    )
    result = AnalogyResult(
        path=str(path),
        sections=sections,
        total=total,
        questions=sum(len(q) for _, q in parsed),
        oov=oov,
        method=method,
        restrict_vocab=restrict_vocab,
        skipped_lines=skipped,
    )
    for section in [*sections, total]:
        logger.info(
            "%s: %.1f%% (%d/%d)",
            section.name,
            100 * section.accuracy,
            section.n_correct,
            section.n_questions,
        )
    logger.info("questions with out-of-vocabulary words: %.1f%%", result.oov_ratio)
    return result
