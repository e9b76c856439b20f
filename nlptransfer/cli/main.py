"""Entry point of the ``nlptransfer`` command."""

from __future__ import annotations

import logging

import typer

import nlptransfer.cli.vectors_catalog  # noqa: F401 - registers `vectors list`, `download`
from nlptransfer import __version__
from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.extras import missing_extra
from nlptransfer.cli import vectors_lookup  # noqa: F401 - registers the lookup commands
from nlptransfer.cli.bench import bench, report
from nlptransfer.cli.pretrain import pretrain
from nlptransfer.cli.train import evaluate, predict, train
from nlptransfer.cli.vectors import app as vectors_app

app = typer.Typer(
    name="nlptransfer",
    help="Pretrained word vectors for PyTorch text classifiers: load, look up, transfer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(vectors_app, name="vectors")
app.command()(train)
app.command()(predict)
app.command()(evaluate)
app.command()(bench)
app.command()(report)
app.command()(pretrain)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nlptransfer {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what is being done."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and errors; no bars."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """nlptransfer: pretrained embeddings for text classification."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if quiet:
        import os

        os.environ["NLPTRANSFER_QUIET"] = "1"


def main() -> None:
    """Run the command; library errors become a one-line message and exit status 1."""
    try:
        app()
    except NLPTransferError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise SystemExit(1) from None
    except ModuleNotFoundError as exc:  # a command whose extra is not installed: say which
        error = missing_extra(exc, "this command")
        if error is None:
            raise
        typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
