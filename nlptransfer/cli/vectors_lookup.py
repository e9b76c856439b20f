"""``nlptransfer vectors neighbors | similarity | analogy | evaluate | coverage``: look vectors up.

These commands join the ``vectors`` group (:data:`nlptransfer.cli.vectors.app`); importing this
module registers them. Each prints a table, or JSON with ``--json``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from nlptransfer.cli.console import console
from nlptransfer.cli.vectors import SOURCE_HELP, _load, app
from nlptransfer.data.texts import TEXT_FORMATS, read_texts
from nlptransfer.text.tokenize import TOKENIZERS
from nlptransfer.vectors.analogy import AnalogyMethod
from nlptransfer.vectors.coverage import CoverageReport
from nlptransfer.vectors.fallback import DEFAULT_RULES, FALLBACK_RULES
from nlptransfer.vectors.intrinsic import (
    BENCHMARK_FILES,
    DEFAULT_RESTRICT_VOCAB,
    AnalogyResult,
    Fold,
    WordSimilarityResult,
    analogies,
    benchmark_file,
    word_similarity,
)

FORMAT_HELP = "Override format detection of the vectors."
PICKLE_HELP = "Allow gensim pickle files (trusted only)."
JSON_HELP = "Print JSON."


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _hits_table(title: str, hits: list[tuple[str, float]], score: str = "cosine") -> Table:
    table = Table(title=title)
    table.add_column("#", justify="right")
    table.add_column("word")
    table.add_column(score, justify="right")
    for rank, (word, value) in enumerate(hits, start=1):
        table.add_row(str(rank), word, f"{value:.4f}")
    return table


@app.command()
def neighbors(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    words: list[str] = typer.Argument(..., help="Query words."),
    k: int = typer.Option(10, "-k", "--k", min=1, help="Neighbours per word."),
    restrict_vocab: int | None = typer.Option(
        None, "--restrict-vocab", min=1, help="Search only the first N (most frequent) words."
    ),
    format: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
    allow_pickle: bool = typer.Option(False, help=PICKLE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The k nearest neighbours (cosine) of each word, all searched at once."""
    vectors = _load(source, format, allow_pickle)
    known = [w for w in words if w in vectors or vectors.has_subwords]
    missing = [w for w in words if w not in known]
    found = vectors.nearest(known, k=k, restrict_vocab=restrict_vocab)
    results = dict(zip(known, found, strict=True))
    if as_json:
        payload = {
            w: [{"word": n, "cosine": round(s, 6)} for n, s in hits] for w, hits in results.items()
        }
        _echo_json({"neighbors": payload, "unknown": missing})
        return
    for word, hits in results.items():
        console.print(_hits_table(f"nearest to {word!r}", hits))
    for word in missing:
        console.print(f"[yellow]{word!r} is not in the vocabulary[/yellow]")


@app.command()
def similarity(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    words: list[str] = typer.Argument(..., help="Pairs of words: A B [C D ...]."),
    format: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
    allow_pickle: bool = typer.Option(False, help=PICKLE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Cosine similarity of each pair of words (a pair with an unknown word gets none)."""
    if len(words) % 2:
        raise typer.BadParameter(
            f"expected pairs of words (an even number), got {len(words)}", param_hint="WORDS"
        )
    vectors = _load(source, format, allow_pickle)
    has = (lambda w: True) if vectors.has_subwords else vectors.__contains__
    pairs: list[dict[str, Any]] = []
    for a, b in zip(words[::2], words[1::2], strict=True):
        cosine = vectors.similarity(a, b) if has(a) and has(b) else None
        pairs.append({"a": a, "b": b, "cosine": None if cosine is None else round(cosine, 6)})
    unknown = sorted({w for w in words if not has(w)}, key=words.index)
    if as_json:
        _echo_json({"pairs": pairs, "unknown": unknown})
        return
    table = Table(title="cosine similarity")
    for column in ("a", "b", "cosine"):
        table.add_column(column, justify="right" if column == "cosine" else "left")
    for pair in pairs:
        shown = "unknown word" if pair["cosine"] is None else f"{pair['cosine']:.4f}"
        table.add_row(str(pair["a"]), str(pair["b"]), shown)
    console.print(table)


@app.command()
def analogy(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    a: str = typer.Argument(..., help="A, in: A is to B as C is to ?"),
    b: str = typer.Argument(..., help="B"),
    c: str = typer.Argument(..., help="C"),
    k: int = typer.Option(5, "-k", "--k", min=1, help="Answers to show."),
    method: AnalogyMethod = typer.Option("3cosadd", help="How answers are scored."),
    restrict_vocab: int | None = typer.Option(
        None, "--restrict-vocab", min=1, help="Answer only among the first N words."
    ),
    format: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
    allow_pickle: bool = typer.Option(False, help=PICKLE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A is to B as C is to what? (3CosAdd or 3CosMul; A, B and C are never answers.)"""
    vectors = _load(source, format, allow_pickle)
    hits = vectors.analogy(a, b, c, k, method=method, restrict_vocab=restrict_vocab)
    if as_json:
        answers = [{"word": w, "score": round(s, 6)} for w, s in hits]
        _echo_json({"question": [a, b, c], "method": method, "answers": answers})
        return
    console.print(_hits_table(f"{a} : {b} :: {c} : ?  ({method})", hits, "score"))


def _similarity_table(results: list[WordSimilarityResult]) -> Table:
    table = Table(title="word similarity")
    for column in ("file", "Spearman", "Pearson", "pairs", "out of vocabulary"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for r in results:
        table.add_row(
            Path(r.path).name,
            f"{r.spearman:.4f}",
            f"{r.pearson:.4f}",
            str(r.pairs),
            f"{r.oov} ({r.oov_ratio:.1f}%)",
        )
    return table


def _analogy_table(result: AnalogyResult) -> Table:
    title = f"analogies: {Path(result.path).name} ({result.method})"
    table = Table(title=title)
    for column in ("section", "accuracy", "correct", "scored"):
        table.add_column(column, justify="left" if column == "section" else "right")
    for s in [*result.sections, result.total]:
        table.add_row(s.name, f"{100 * s.accuracy:.1f}%", str(s.n_correct), str(s.n_questions))
    table.caption = f"{result.oov} of {result.questions} questions out of vocabulary"
    return table


@app.command()
def evaluate(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    pairs: list[Path] = typer.Option(
        [], "--pairs", help="Word-similarity file (word1 TAB word2 TAB score); repeatable."
    ),
    analogy_files: list[Path] = typer.Option(
        [], "--analogies", help="Analogy file (questions-words.txt format); repeatable."
    ),
    restrict_vocab: int = typer.Option(
        DEFAULT_RESTRICT_VOCAB, "--restrict-vocab", min=1, help="Use the first N words only."
    ),
    fold: Fold = typer.Option("upper", help="Case folding (all locale-free)."),
    case_sensitive: bool = typer.Option(False, help="Compare words exactly, without folding."),
    method: AnalogyMethod = typer.Option("3cosadd", help="Analogy method."),
    dummy4unknown: bool = typer.Option(
        False, help="Score out-of-vocabulary pairs 0 / questions wrong instead of skipping them."
    ),
    format: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
    allow_pickle: bool = typer.Option(False, help=PICKLE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Word-similarity correlations and analogy accuracy, numbers as gensim's.

    With no --pairs and no --analogies, runs the standard files gensim ships:
    WordSim-353, SimLex-999 and Google's questions-words.txt.
    """
    if not pairs and not analogy_files:
        pairs = [benchmark_file(name) for name in BENCHMARK_FILES[:2]]
        analogy_files = [benchmark_file(BENCHMARK_FILES[2])]
    vectors = _load(source, format, allow_pickle)
    options: dict[str, Any] = dict(
        restrict_vocab=restrict_vocab,
        case_insensitive=not case_sensitive,
        fold=fold,
        dummy4unknown=dummy4unknown,
    )
    similarities = [word_similarity(vectors, path, **options) for path in pairs]
    solved = [analogies(vectors, path, method=method, **options) for path in analogy_files]
    if as_json:
        _echo_json(
            {
                "vectors": vectors.source,
                "word_similarity": [r.to_dict() for r in similarities],
                "analogies": [r.to_dict() for r in solved],
            }
        )
        return
    if similarities:
        console.print(_similarity_table(similarities))
    for result in solved:
        console.print(_analogy_table(result))


def _coverage_table(report: CoverageReport, title: str) -> Table:
    table = Table(title=title)
    for column in ("rule", "types", "types %", "tokens", "tokens %"):
        table.add_column(column, justify="left" if column == "rule" else "right")

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "-"

    for name in report.rule_types:
        n_types, n_tokens = report.rule_types[name], report.rule_tokens[name]
        table.add_row(
            name,
            f"{n_types:,}",
            pct(n_types, report.types),
            f"{n_tokens:,}",
            pct(n_tokens, report.tokens),
        )
    for name, n_types, n_tokens in (
        ("covered", report.covered_types, report.covered_tokens),
        ("missing", report.missing_types, report.missing_tokens),
    ):
        table.add_row(
            f"[bold]{name}[/bold]",
            f"{n_types:,}",
            pct(n_types, report.types),
            f"{n_tokens:,}",
            pct(n_tokens, report.tokens),
        )
    if report.missing:
        table.caption = "most frequent missing: " + ", ".join(
            f"{w} ({c:,})" for w, c in report.missing
        )
    return table


@app.command()
def coverage(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    data: Path = typer.Argument(..., help="A data file: one text a line, or a labelled file."),
    input_format: str | None = typer.Option(
        None,
        "--input-format",
        help=f"One of: {', '.join(TEXT_FORMATS)} (default: detected; 'LABEL TEXT' lines are kim).",
    ),
    text_column: str | None = typer.Option(None, help="Text column of a CSV/TSV/JSONL file."),
    tokenizer: str | None = typer.Option(
        None,
        help=f"A tokenizer: {', '.join(TOKENIZERS.names())} (default: the vectors' own "
        "tokenizer for token vectors, model2vec or WordLlama, else whitespace).",
    ),
    rules: str = typer.Option(
        ",".join(DEFAULT_RULES), help=f"Fallback rules in order, from: {', '.join(FALLBACK_RULES)}."
    ),
    top: int = typer.Option(20, "--top", min=0, help="How many missing words to list."),
    format: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
    allow_pickle: bool = typer.Option(False, help=PICKLE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """How much of a dataset the vectors cover, which fallback rule found what, what is missing."""
    from nlptransfer.text.tokenize import get_tokenizer

    rule_names = [r.strip() for r in rules.split(",") if r.strip()]
    unknown_rules = [r for r in rule_names if r not in FALLBACK_RULES]
    if unknown_rules:
        raise typer.BadParameter(
            f"expected rules among {', '.join(FALLBACK_RULES)}, got {', '.join(unknown_rules)}",
            param_hint="--rules",
        )
    texts = read_texts(data, input_format, text_column=text_column)
    vectors = _load(source, format, allow_pickle)
    own = vectors.tokenizer() if tokenizer is None else None
    tokenize = own if own is not None else get_tokenizer(tokenizer or "whitespace")
    counts: Counter = Counter()
    for tokens in tokenize.tokenize_batch(texts):
        counts.update(tokens)
    report = vectors.coverage(counts, rules=rule_names, top_missing=top)
    if as_json:
        _echo_json({"data": str(data), "examples": len(texts), **report.to_dict()})
        return
    title = f"coverage of {data.name} ({len(texts):,} texts) by {vectors.source}"
    console.print(_coverage_table(report, title))
