"""Entry point of the ``nlptransfer`` command.

Every failure ends here, in one place: :class:`NLPTransferCommand` tells it as
:mod:`nlptransfer.cli.failures` says (one line for what a user can fix, a traceback for a bug).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

import nlptransfer.cli.vectors_catalog  # registers `vectors list`, `download`
import nlptransfer.cli.vectors_lookup  # noqa: F401 - registers the lookup commands
from nlptransfer._util.version import __version__
from nlptransfer.cli import failures
from nlptransfer.cli.bench import bench, report
from nlptransfer.cli.compare import compare
from nlptransfer.cli.drift import drift
from nlptransfer.cli.export import export
from nlptransfer.cli.pretrain import pretrain
from nlptransfer.cli.push import push
from nlptransfer.cli.serve import serve
from nlptransfer.cli.train import evaluate, predict, train
from nlptransfer.cli.vectors import app as vectors_app


class _Failed(Exception):
    """A command's error on its way out of click, which would turn some into ``Aborted!``."""

    def __init__(self, error: BaseException, debug: bool) -> None:
        super().__init__(error)
        self.error = error
        self.debug = debug


class NLPTransferCommand(TyperGroup):
    """The root command group: its subcommands' failures are told by :mod:`failures`."""

    def invoke(self, ctx: Any) -> Any:  # Any: the click.Context of the click typer carries
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise
        except BrokenPipeError:
            raise  # click quiets a closed pipe (`nlptransfer ... | head`)
        except BaseException as error:
            debug = bool(ctx.params.get("debug")) or failures.debug_requested()
            raise _Failed(error, debug) from error

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        extra["windows_expand_args"] = windows_expand_args
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        cause: BaseException | None = None
        try:
            outcome = super().main(args, prog_name, complete_var, False, **extra)
            status = outcome if isinstance(outcome, int) else 0
        except typer.TyperException as error:
            status, cause = failures.report_usage(error), error
        except typer.Abort as error:
            status, cause = failures.report_abort(), error
        except _Failed as failed:
            status, cause = failures.report(failed.error, debug=failed.debug), failed.error
        raise SystemExit(status) from cause  # the cause, for callers such as tests


app = typer.Typer(
    name="nlptransfer",
    help="Pretrained word vectors for PyTorch text classifiers: load, look up, transfer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=NLPTransferCommand,
)
app.add_typer(vectors_app, name="vectors")
app.command()(train)
app.command()(predict)
app.command()(evaluate)
app.command()(bench)
app.command()(report)
app.command()(pretrain)
app.command()(serve)
app.command()(push)
app.command()(export)
app.command()(compare)
app.command()(drift)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nlptransfer {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what is being done."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and errors; no bars."),
    debug: bool = typer.Option(
        False, "--debug", help="On an error, show its traceback too (or NLPTRANSFER_DEBUG=1)."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """nlptransfer: pretrained embeddings for text classification."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if quiet:
        import os

        os.environ["NLPTRANSFER_QUIET"] = "1"


def main() -> None:
    """Run the command: a user's error is one line on stderr and a non-zero exit status."""
    app()


if __name__ == "__main__":
    main()
