"""``nlptransfer bench CONFIG`` and ``nlptransfer report DIR``: run a grid, report on it.

``nlptransfer report --compare OLD NEW`` sets two results folders of one grid side by side.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from nlptransfer.bench.names import SELECTOR_KEYS, Executor
from nlptransfer.cli.console import console

logger = logging.getLogger(__name__)

#: The data summaries of a grid's datasets (name -> summary), in its results folder.
DATA_SUMMARY_FILE = "data-summary.json"


def _summarize(into: dict[str, Any]) -> Callable[[Any, Any], None]:
    """A ``check_inputs`` callback keeping each dataset's summary, by the grid's name for it."""

    def keep(spec: Any, dataset: Any) -> None:
        from nlptransfer.data.summary import summarize_dataset

        into[spec.dataset["name"]] = summarize_dataset(dataset)

    return keep


def bench(
    config: Path = typer.Argument(..., help="A benchmark grid in YAML (see configs/)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Results folder (default: runs/<config name>)."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Runs at a time."),
    executor: Executor = typer.Option("local", help="Where the runs execute."),
    address: str | None = typer.Option(None, help="Ray cluster address (auto, ray://host:port)."),
    resume: bool = typer.Option(
        True, "--resume/--no-resume", help="Skip runs already in the folder."
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Validate, list the runs and summarize each dataset; run nothing. Reads every "
        "dataset and builds every arm's options, as the runs will.",
    ),
    only: list[str] | None = typer.Option(
        None,
        "--only",
        help="Run part of the grid: KEY=VALUE[,VALUE...], KEY one of "
        f"{', '.join(SELECTOR_KEYS)}; repeat to narrow (e.g. --only model=bilstm --only seed=0). "
        "The rest runs later with --resume.",
    ),
) -> None:
    """Run a benchmark grid (datasets x vectors x models x modes x seeds), then report on it."""
    from nlptransfer._util.files import atomic_output
    from nlptransfer.bench.grid import expand_grid, select_runs
    from nlptransfer.bench.lock import GridLock
    from nlptransfer.bench.results import ResultsStore
    from nlptransfer.bench.runner import check_inputs, run_grid
    from nlptransfer.bench.schema import load_bench_config

    cfg = load_bench_config(config)
    runs = expand_grid(cfg)
    total = len(runs)
    if only:
        try:
            runs = select_runs(runs, only)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--only") from None
    folder = out or Path("runs") / cfg.name
    store = ResultsStore(folder)
    done = store.finished_ids() if resume else set()
    chosen = f" of {total}, chosen by --only" if only else ""
    console.print(
        f"[bold]{cfg.name}[/bold]: {len(runs)} runs{chosen} "
        f"({len([r for r in runs if r.run_id in done])} already done) -> {folder}"
    )
    if dry_run:
        for spec in runs:
            console.print(f"  {spec.run_id}  {spec.label()}  vectors={spec.vectors}")
    summaries: dict[str, Any] = {}
    if executor == "local":  # before config.yaml is written: a failed check leaves nothing
        check_inputs([r for r in runs if r.run_id not in done], on_dataset=_summarize(summaries))
    if dry_run:
        for summary in summaries.values():
            console.print(summary.render(), markup=False, highlight=False)
        return
    folder.mkdir(parents=True, exist_ok=True)
    # one bench per folder: a second one stops here, naming the first, before writing anything
    with GridLock(folder):
        with atomic_output(folder / "config.yaml") as tmp:
            tmp.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
        if summaries:
            with atomic_output(folder / DATA_SUMMARY_FILE) as tmp:
                data = {name: summary.to_dict() for name, summary in summaries.items()}
                tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        run_grid(
            runs, store, jobs=jobs, executor=executor, address=address, resume=resume, lock=False
        )
    _print_report(folder, cfg.name)


def report(
    folder: Path | None = typer.Argument(
        None, help="A results folder written by `nlptransfer bench`."
    ),
    compare: tuple[Path, Path] | None = typer.Option(
        None,
        "--compare",
        metavar="OLD NEW",
        help="Compare two results folders of the same grid instead: per cell, the runs matched "
        "by run id, old and new mean test accuracy, the difference and a paired t-test.",
    ),
) -> None:
    """Write report.md, CSV, JSON and plots for a results folder, and print the tables.

    With --compare OLD NEW: print, cell by cell, how the runs of NEW differ from those of OLD.
    """
    if compare is not None:
        if folder is not None:
            raise typer.BadParameter("give a FOLDER or --compare OLD NEW, not both")
        _print_comparison(*compare)
    elif folder is None:
        raise typer.BadParameter("give a results FOLDER, or --compare OLD NEW", param_hint="FOLDER")
    else:
        _print_report(folder, None)


def _print_comparison(old: Path, new: Path) -> None:
    from nlptransfer.bench.compare import compare_results, comparison_table

    changes = compare_results(old, new)
    console.print(f"OLD: {old}  NEW: {new}  (test accuracy %, runs matched by run id)")
    console.print(comparison_table(changes), markup=False, highlight=False, soft_wrap=True)


def _print_report(folder: Path, title: str | None) -> None:
    from nlptransfer.bench.report import markdown_tables, write_report
    from nlptransfer.bench.results import ResultsStore
    from nlptransfer.bench.summary import summarize

    path = write_report(folder, title=title)
    summaries, comparisons = summarize(list(ResultsStore(folder).records()))
    # Raw Markdown: readable in any terminal width, and pastes into a README as it is.
    console.print(
        markdown_tables(summaries, comparisons), markup=False, highlight=False, soft_wrap=True
    )
    console.print(f"report: {path}  plots: {folder / 'plots'}")
