"""Named vectors end to end: catalogue -> local HTTP server -> verified cache -> native store."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import (
    ChecksumMismatchError,
    OfflineError,
    UnsafeArchiveError,
    VectorsFormatError,
)
from nlptransfer.vectors.cache import cache_state, cached_names, store_path, vectors_dir
from nlptransfer.vectors.catalog import catalog_entry
from nlptransfer.vectors.fetch import download_vectors
from tests.conftest import gensim_data
from tests.vectors.archives import tarred, zipped
from tests.vectors.fault_server import FaultServer

GLOVE = gensim_data("test_glove.txt")  # real GloVe 6B 50d rows, GloVe text format
VEC = gensim_data("lee_fasttext.vec")  # real fastText .vec (word2vec text with a header)


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty cache and a user catalogue file, with fast, impatient downloads."""
    home = tmp_path / "home"
    monkeypatch.setenv("NLPTRANSFER_HOME", str(home))
    monkeypatch.setenv("NLPTRANSFER_CATALOG", str(tmp_path / "catalog.toml"))
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_TIMEOUT", "0.5")
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_RETRIES", "1")
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_BACKOFF", "0.01")
    monkeypatch.delenv("NLPTRANSFER_OFFLINE", raising=False)
    return home


def write_catalog(home: Path, text: str) -> None:
    Path(os.environ["NLPTRANSFER_CATALOG"]).write_text(text)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def glove_zip() -> bytes:
    return zipped({"glove/README.md": b"read me\n", "glove/test_glove.txt": GLOVE.read_bytes()})


def glove_entry(url: str, data: bytes, name: str = "tiny-glove", extra: str = "") -> str:
    return (
        f'[vectors.{name}]\nurl = "{url}"\nmember = "glove/test_glove.txt"\nformat = "glove"\n'
        f'sha256 = "{sha256(data)}"\ndim = 50\nlicense = "PDDL-1.0"\n{extra}\n'
    )


def test_first_load_downloads_and_converts_then_memory_maps(home, server, glove_zip):
    write_catalog(home, glove_entry(server.add("/glove.zip", glove_zip), glove_zip))
    original = load_vectors(GLOVE)

    first = load_vectors("tiny-glove")
    assert first.words == original.words
    np.testing.assert_array_equal(first.matrix, original.matrix)
    assert first.format == "native" and first.source == "tiny-glove"
    assert first.meta["license"] == "PDDL-1.0" and first.meta["verified_by"] == ["sha256"]
    assert first.meta["source_sha256"] == sha256(glove_zip)
    assert store_path("tiny-glove").is_dir()

    again = load_vectors("tiny-glove", vocab={"the", "of", "qqqzzz"})
    assert isinstance(load_vectors("tiny-glove").matrix, np.memmap)
    assert sorted(again.words) == ["of", "the"]
    assert load_vectors("tiny-glove", limit=3).words == original.words[:3]
    assert len(server.requests()) == 1  # downloaded once, every later load reads the cache
    state = cache_state(catalog_entry("tiny-glove"))
    assert state.cached and state.store == store_path("tiny-glove") and len(state.downloads) == 1


def test_gzip_and_tar_sources(home, server):
    vec_gz = gzip.compress(VEC.read_bytes())
    tar = tarred({"v/readme.txt": b"hi\n", "v/lee.vec": VEC.read_bytes()})
    write_catalog(
        home,
        f'[vectors.lee-gz]\nurl = "{server.add("/lee.vec.gz", vec_gz)}"\n'
        f'md5 = "{hashlib.md5(vec_gz).hexdigest()}"\nformat = "vec"\n\n'
        f'[vectors.lee-tar]\nurl = "{server.add("/lee.tar.gz", tar)}"\nmember = "v/lee.vec"\n'
        f'sha256 = "{sha256(tar)}"\n',
    )
    original = load_vectors(VEC)
    for name in ("lee-gz", "lee-tar"):
        loaded = load_vectors(name)
        assert loaded.words == original.words, name
        np.testing.assert_array_equal(loaded.matrix, original.matrix)
    assert not list((vectors_dir() / "tmp").iterdir())  # the extracted member was removed


def test_sources_are_tried_in_order(home, server, glove_zip):
    missing = server.url("/gone.gz")
    write_catalog(
        home,
        f'[vectors.tiny-glove]\nurl = "{missing}"\nmd5 = "{"0" * 32}"\n'
        "[[vectors.tiny-glove.sources]]\n"
        f'url = "{server.add("/glove.zip", glove_zip)}"\nmember = "glove/test_glove.txt"\n'
        f'sha256 = "{sha256(glove_zip)}"\n',
    )
    assert len(load_vectors("tiny-glove")) == len(load_vectors(GLOVE))
    assert [s.path for s in server.requests()] == ["/gone.gz", "/glove.zip"]


def test_checksum_mismatch_leaves_nothing_in_the_cache(home, server, glove_zip):
    write_catalog(home, glove_entry(server.add("/glove.zip", glove_zip), b"other bytes"))
    with pytest.raises(ChecksumMismatchError, match="deleted"):
        load_vectors("tiny-glove")
    files = [p for p in home.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert files == []
    assert not cache_state(catalog_entry("tiny-glove")).cached


def test_offline_mode_loads_cached_names_and_fails_fast_for_others(
    home, server, glove_zip, monkeypatch
):
    url = server.add("/glove.zip", glove_zip)
    write_catalog(
        home,
        glove_entry(url, glove_zip) + glove_entry(url + "?again", glove_zip, name="not-cached"),
    )
    load_vectors("tiny-glove")
    requests = len(server.requests())
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    assert len(load_vectors("tiny-glove")) == len(load_vectors(GLOVE))
    assert load_vectors("glove-6b-50d", limit=2).words == ["the", ","]  # installed from PyPI
    with pytest.raises(OfflineError) as caught:
        load_vectors("not-cached")
    message = str(caught.value)
    assert "offline mode is on" in message and "NLPTRANSFER_OFFLINE" in message
    assert "tiny-glove" in message and "glove-6b-50d" in message  # what is cached
    assert len(server.requests()) == requests  # nothing was asked of the network
    assert "not-cached" not in cached_names() and "tiny-glove" in cached_names()


def test_offline_mode_converts_a_cached_download(home, server, glove_zip, monkeypatch):
    write_catalog(home, glove_entry(server.add("/glove.zip", glove_zip), glove_zip))
    download = download_vectors("tiny-glove", convert=False)
    assert download.is_file() and not store_path("tiny-glove").exists()
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    assert load_vectors("tiny-glove").format == "native"
    assert len(server.requests()) == 1


def test_zip_slip_archive_is_refused_and_deleted(home, server, tmp_path):
    evil = zipped({"glove/test_glove.txt": GLOVE.read_bytes(), "../evil.txt": b"owned\n"})
    write_catalog(home, glove_entry(server.add("/evil.zip", evil), evil))
    with pytest.raises(UnsafeArchiveError, match=r"'\.\./evil\.txt'"):
        load_vectors("tiny-glove")
    assert list(tmp_path.rglob("evil.txt")) == [] and not (home.parent / "evil.txt").exists()
    assert not store_path("tiny-glove").exists()
    assert not cache_state(catalog_entry("tiny-glove")).downloads  # the archive was deleted


def test_store_is_remade_when_the_entry_changes(home, server, glove_zip):
    vec_zip = zipped({"glove/test_glove.txt": VEC.read_bytes()})
    write_catalog(home, glove_entry(server.add("/a.zip", glove_zip), glove_zip))
    assert load_vectors("tiny-glove").dim == 50
    write_catalog(
        home,
        glove_entry(server.add("/b.zip", vec_zip), vec_zip)
        .replace('format = "glove"\n', 'format = "vec"\n')
        .replace("dim = 50", "dim = 10"),
    )
    assert load_vectors("tiny-glove").dim == 10


def test_wrong_dimension_in_the_entry_is_an_error(home, server, glove_zip):
    entry = glove_entry(server.add("/glove.zip", glove_zip), glove_zip)
    write_catalog(home, entry.replace("dim = 50", "dim = 51"))
    with pytest.raises(VectorsFormatError, match=r"expected 51-dimensional vectors .* found 50"):
        load_vectors("tiny-glove")
    assert not store_path("tiny-glove").exists()


def test_force_downloads_again(home, server, glove_zip):
    write_catalog(home, glove_entry(server.add("/glove.zip", glove_zip), glove_zip))
    first = download_vectors("tiny-glove")
    assert download_vectors("tiny-glove") == first and len(server.requests()) == 1
    assert download_vectors("tiny-glove", force=True) == first and len(server.requests()) == 2


def _wait_for(condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_two_processes_download_the_same_name_once(home, server, glove_zip, monkeypatch):
    # Patient downloads: the first process must wait at the gate, not time out and retry.
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_TIMEOUT", "120")
    gate = threading.Event()
    write_catalog(home, glove_entry(server.add("/glove.zip", glove_zip, gate=gate), glove_zip))
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
        "from nlptransfer.vectors.fetch import download_vectors\n"
        "print(download_vectors('tiny-glove'))\n"
    )

    def start() -> tuple[subprocess.Popen, list[str]]:
        process = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
        reader.start()
        return process, lines

    first, _ = start()
    try:
        _wait_for(lambda: len(server.requests()) == 1, "the first process to start downloading")
        second, second_log = start()
        # The second process must wait for the lock, not send a request of its own.
        _wait_for(
            lambda: (
                len(server.requests()) > 1
                or any("waiting for another process" in line for line in second_log)
            ),
            "the second process to wait for the lock",
        )
        assert len(server.requests()) == 1, "the second process downloaded too"
    finally:
        gate.set()
    outputs = [p.communicate(timeout=60)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], second_log
    assert outputs[0] == outputs[1] == f"{store_path('tiny-glove')}\n"
    assert len(server.requests()) == 1
    np.testing.assert_array_equal(load_vectors("tiny-glove").matrix, load_vectors(GLOVE).matrix)


def test_two_entries_with_one_url_and_different_checksums(home, server, glove_zip):
    url = server.add("/glove.zip", glove_zip)
    other = zipped({"glove/test_glove.txt": VEC.read_bytes()})  # what "other" should hold
    write_catalog(home, glove_entry(url, glove_zip) + glove_entry(url, other, name="other"))
    assert load_vectors("tiny-glove").dim == 50
    download = cache_state(catalog_entry("tiny-glove")).downloads[0]
    with pytest.raises(ChecksumMismatchError) as caught:
        load_vectors("other")
    message = str(caught.value)
    assert "'other'" in message and str(download) in message
    assert f"expected sha256 {sha256(other)}, found {sha256(glove_zip)}" in message
    assert not store_path("other").exists()  # no store claims a checksum nobody compared
    assert load_vectors("tiny-glove").dim == 50 and download.is_file()  # the file was kept
    assert len(server.requests()) == 1


def test_editing_the_checksum_after_the_download_is_noticed(home, server, glove_zip):
    url = server.add("/glove.zip", glove_zip)
    write_catalog(home, glove_entry(url, glove_zip))
    download_vectors("tiny-glove", convert=False)
    write_catalog(home, glove_entry(url, b"another release"))
    for attempt in (lambda: load_vectors("tiny-glove"), lambda: download_vectors("tiny-glove")):
        with pytest.raises(ChecksumMismatchError, match=f"found {sha256(glove_zip)}"):
            attempt()
    assert not store_path("tiny-glove").exists()
    # md5 added to the entry: compared against the cached file before the store claims it
    md5 = hashlib.md5(glove_zip).hexdigest()
    write_catalog(home, glove_entry(url, glove_zip, extra=f'md5 = "{md5}"'))
    assert load_vectors("tiny-glove").meta["verified_by"] == ["sha256", "md5"]
    write_catalog(home, glove_entry(url, glove_zip, extra=f'md5 = "{"0" * 32}"'))
    with pytest.raises(ChecksumMismatchError, match=f"expected md5 {'0' * 32}, found {md5}"):
        load_vectors("tiny-glove")
    assert len(server.requests()) == 1


def test_a_cached_download_that_changed_on_disk_is_refused(home, server, glove_zip):
    write_catalog(home, glove_entry(server.add("/glove.zip", glove_zip), glove_zip))
    download = download_vectors("tiny-glove", convert=False)
    download.write_bytes(glove_zip[::-1])  # same size, other bytes: the recorded digest is stale
    with pytest.raises(ChecksumMismatchError, match=r"'tiny-glove'.*not the file"):
        load_vectors("tiny-glove")


def test_offline_a_store_from_other_bytes_is_not_used(home, server, glove_zip, monkeypatch):
    url = server.add("/glove.zip", glove_zip)
    write_catalog(home, glove_entry(url, glove_zip))
    load_vectors("tiny-glove")
    for path in cache_state(catalog_entry("tiny-glove")).downloads:
        path.unlink()
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    write_catalog(home, glove_entry(url, glove_zip, extra="approx_size = 5"))  # same bytes
    assert load_vectors("tiny-glove").dim == 50  # an older entry's store, same checksum: kept
    write_catalog(home, glove_entry(url, b"another release"))
    with pytest.raises(OfflineError):
        load_vectors("tiny-glove")
