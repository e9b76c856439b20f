"""``nlptransfer push``: a model folder to the Hugging Face Hub (the ``hub`` extra)."""

from __future__ import annotations

from pathlib import Path

import typer

from nlptransfer.cli.console import console


def push(
    run: Path = typer.Argument(..., help="A model folder written by `nlptransfer train`."),
    repo_id: str = typer.Argument(..., help="The Hub repository, OWNER/NAME (created if missing)."),
    private: bool = typer.Option(False, "--private", help="Create the repository private."),
    token: str | None = typer.Option(
        None, envvar="HF_TOKEN", help="A Hub token with write access (default: hf auth login's)."
    ),
    message: str | None = typer.Option(None, "--message", "-m", help="The commit message."),
) -> None:
    """Upload a model folder to the Hugging Face Hub; load it back with hf://OWNER/NAME."""
    from nlptransfer.train.hub import push_to_hub

    url = push_to_hub(run, repo_id, token=token, private=private, commit_message=message)
    console.print(f"pushed {run} to {url}")
    console.print(f'load it with: nlptransfer.load_classifier("hf://{repo_id}")')
