"""Fuzz the dataset readers with mutated real files (issue 23): CSV (IMDB), TSV (SST-2 from GLUE),
the Kim ``LABEL TEXT`` format (MR), JSON lines and Parquet made from the same rows, and a gzip
CSV. Each input is read, or refused with a ``DatasetError`` naming the file; what is read is
consistent (one label and line per text, every text a non-empty string, bad rows recorded with
their lines); and a dataset built from it (``load_dataset``) either builds or is refused the same
way. Never another exception or a hang."""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
from pathlib import Path

import pytest
from hypothesis import example, given

from nlptransfer.data.dataset import load_dataset
from nlptransfer.data.readers import read_split
from nlptransfer.errors import NLPTransferError
from tests.fuzz.harness import deadline, loaded, refused, run_property
from tests.fuzz.mutations import HEAD_BIASED, MUTATIONS, mutate

ROWS = 16
HAS_DATASETS = importlib.util.find_spec("datasets") is not None


def _head(data: bytes, lines: int) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:lines])


@pytest.fixture(scope="module")
def seeds(shared_file) -> dict[str, tuple[str, bytes]]:
    imdb = gzip.decompress(shared_file("imdb/test.csv.gz").read_bytes())
    csv = _head(imdb, ROWS + 1)
    tsv = _head(shared_file("sst2-glue/dev.tsv").read_bytes(), ROWS + 1)
    kim = _head(shared_file("kim2014/rt-polarity.all").read_bytes(), ROWS)
    rows = [line.split("\t", 1) for line in tsv.decode().splitlines()[1:]]
    jsonl = "".join(json.dumps({"label": int(a), "text": b}) + "\n" for a, b in rows).encode()
    seeds = {
        "csv": ("reviews.csv", csv),
        "tsv": ("dev.tsv", tsv),
        "kim": ("rt-polarity.all", kim),
        "jsonl": ("rows.jsonl", jsonl),
        "csv-gz": ("reviews.csv.gz", gzip.compress(csv, mtime=0)),
    }
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buffer = io.BytesIO()
    table = pa.table({"label": [int(a) for a, _ in rows], "text": [b for _, b in rows]})
    pq.write_table(table, buffer)
    seeds["parquet"] = ("rows.parquet", buffer.getvalue())
    return seeds


def check(reader: str, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        with deadline():
            split = read_split(path)
    except NLPTransferError as error:
        refused(reader, error, path)
        return
    assert len(split.texts) == len(split.labels) == len(split.lines)
    assert all(isinstance(t, str) and t.strip() for t in split.texts)
    assert all(isinstance(label, (str, int, float)) for label in split.labels)
    assert split.lines == sorted(split.lines)
    assert not set(split.lines) & {row.line for row in split.bad_rows}
    loaded(reader, "loaded-checked")
    if not HAS_DATASETS:  # the core install: load_dataset needs the torch extra
        return
    try:
        with deadline():
            load_dataset(path, on_bad_rows="warn")
    except NLPTransferError as error:
        refused(reader + "/dataset", error, path)
    else:
        loaded(reader + "/dataset", "loaded-checked")


@pytest.mark.parametrize("reader", ["csv", "tsv", "kim", "jsonl", "csv-gz", "parquet"])
def test_mutated_dataset_files(seeds, tmp_path, reader):
    name, seed = seeds[reader]
    path = tmp_path / name

    @given(mutations=HEAD_BIASED if reader == "parquet" else MUTATIONS)
    @example(mutations=[("truncate", 0.5, b"")])
    @example(mutations=[("overwrite", 0.0, b"\x00"), ("overwrite", 0.5, b"\x80")])  # not UTF-8
    @example(  # a column name in a Parquet schema that is not UTF-8
        mutations=[
            ("insert", 0.71875, b"\x00\x00\x80\x00"),
            ("delete", 0.71875, b"\x00\x00\x00\x00"),
        ]
    )
    @example(mutations=[("overwrite", 0.3, b'"')])  # an unclosed quote in a CSV
    @example(  # a Parquet footer declaring integers wider than 64 bits (ArrowNotImplemented)
        mutations=[
            ("insert", 0.0, b"\x00"),
            ("insert", 0.0, b"\x00"),
            ("overwrite", 0.97265625, b"/"),
        ]
    )
    @example(mutations=[("insert", 0.0, b"\xef\xbb\xbf")])
    def run(mutations):
        check(reader, path, mutate(seed, mutations))

    run_property(run)


def test_a_json_label_that_is_a_list(tmp_path):
    """A seed the trial found (``TypeError: unhashable``), kept as a regression case."""
    path = tmp_path / "rows.jsonl"
    check("jsonl", path, b'{"label": [1], "text": "a"}\n{"label": 0, "text": "b"}\n')
