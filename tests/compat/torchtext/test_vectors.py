"""``Vectors``, ``GloVe``, ``FastText``, ``CharNGram`` and ``pretrained_aliases`` behave as
torchtext 0.18's (``torchtext/vocab/vectors.py``), on this library's catalogue and store.

torchtext's rules, written out here: an unknown word gets ``unk_init(torch.Tensor(dim))``,
zeros by default; ``get_vecs_by_tokens`` gives ``[dim]`` for a string and ``[n, dim]`` for a
list, and with ``lower_case_backup`` looks a word up as it is first, then in lower case;
``max_vectors`` keeps the first rows (0 or ``None``: all).
"""

from __future__ import annotations

import ssl
from pathlib import Path

import numpy as np
import pytest
import torch

from nlptransfer import load_vectors
from nlptransfer.compat.torchtext.vocab import (
    TORCHTEXT_FILES,
    CharNGram,
    FastText,
    GloVe,
    Vectors,
    pretrained_aliases,
)
from nlptransfer.errors import CompatError, OfflineError
from nlptransfer.vectors.catalog import catalog_names
from tests.vectors.archives import zipped
from tests.vectors.fault_server import FaultServer

ROWS = "cat 1 2 3\nCat 4 5 6\ndog 7 8 9\nthe 0.5 -0.5 0.25\n"


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(ROWS, encoding="utf-8")
    return path


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "vector_cache"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty cache of this library's own, downloads allowed and impatient."""
    home = tmp_path / "home"
    monkeypatch.setenv("NLPTRANSFER_HOME", str(home))
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_TIMEOUT", "0.5")
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_RETRIES", "1")
    monkeypatch.delenv("NLPTRANSFER_OFFLINE", raising=False)
    monkeypatch.chdir(tmp_path)  # the default cache, ".vector_cache", is relative
    return home


@pytest.fixture(scope="module")
def glove50() -> GloVe:
    return GloVe(name="6B", dim=50)


# -- attributes and lookups -------------------------------------------------------------------
def test_attributes_are_torchtexts(tiny, cache):
    v = Vectors(str(tiny), cache=str(cache))
    assert v.itos == ["cat", "Cat", "dog", "the"]
    assert v.stoi == {"cat": 0, "Cat": 1, "dog": 2, "the": 3}
    assert isinstance(v.vectors, torch.Tensor) and v.vectors.dtype == torch.float32
    assert v.vectors.shape == (4, 3) and v.dim == 3 and isinstance(v.dim, int) and len(v) == 4
    assert v["dog"].tolist() == [7.0, 8.0, 9.0]
    assert "dog" in v and "bird" not in v


def test_the_tensor_is_writable_and_owned(tiny, cache):
    v = Vectors(tiny, cache=cache)
    v.vectors[0] += 1  # torchtext users normalise or edit vectors in place
    assert v["cat"].tolist() == [2.0, 3.0, 4.0]
    assert Vectors(tiny, cache=cache)["cat"].tolist() == [1.0, 2.0, 3.0]  # the store is untouched


def test_an_unknown_word_is_zeros_by_default(tiny, cache):
    v = Vectors(tiny, cache=cache)
    assert v["bird"].tolist() == [0.0, 0.0, 0.0]
    assert v["bird"].shape == (3,) and v["bird"].dtype == torch.float32


def test_unk_init_gets_an_uninitialised_tensor_of_dim_floats_per_unknown_word(tiny, cache):
    seen = []

    def unk_init(tensor: torch.Tensor) -> torch.Tensor:
        seen.append(tuple(tensor.shape))
        return tensor.fill_(len(seen))

    v = Vectors(tiny, cache=cache, unk_init=unk_init)
    rows = v.get_vecs_by_tokens(["bird", "cat", "fish"])
    assert seen == [(3,), (3,)]
    assert rows.tolist() == [[1.0] * 3, [1.0, 2.0, 3.0], [2.0] * 3]
    torch.manual_seed(0)
    normal = Vectors(tiny, cache=cache, unk_init=torch.Tensor.normal_)["bird"]
    assert normal.shape == (3,) and normal.abs().sum() > 0


def test_get_vecs_by_tokens_is_1d_for_a_string_and_2d_for_a_list(tiny, cache):
    v = Vectors(tiny, cache=cache)
    assert v.get_vecs_by_tokens("dog").tolist() == [7.0, 8.0, 9.0]
    assert v.get_vecs_by_tokens(["dog"]).shape == (1, 3)
    both = v.get_vecs_by_tokens(["the", "dog"])
    assert both.shape == (2, 3) and both[1].tolist() == [7.0, 8.0, 9.0]
    assert v.get_vecs_by_tokens(("dog", "cat")).shape == (2, 3)  # any sequence is a list
    assert v.get_vecs_by_tokens([]).shape == (0, 3)


def test_lower_case_backup_tries_the_word_as_it_is_first(tiny, cache):
    v = Vectors(tiny, cache=cache)
    assert v.get_vecs_by_tokens("DOG").tolist() == [0.0, 0.0, 0.0]
    assert v.get_vecs_by_tokens("DOG", lower_case_backup=True).tolist() == [7.0, 8.0, 9.0]
    rows = v.get_vecs_by_tokens(["Cat", "THE", "Bird"], lower_case_backup=True)
    assert rows.tolist() == [[4.0, 5.0, 6.0], [0.5, -0.5, 0.25], [0.0, 0.0, 0.0]]


def test_max_vectors_keeps_the_first_rows_and_zero_keeps_all(tiny, cache):
    assert Vectors(tiny, cache=cache, max_vectors=2).itos == ["cat", "Cat"]
    assert len(Vectors(tiny, cache=cache, max_vectors=0)) == 4
    assert len(Vectors(tiny, cache=cache, max_vectors=99)) == 4


# -- where the vectors come from --------------------------------------------------------------
def test_a_local_file_is_stored_natively_in_cache_and_reopened(tiny, cache):
    first = Vectors(tiny, cache=cache)
    assert first.meta["format"] == "glove"
    assert (cache / "tiny.txt.ntv").is_dir()
    again = Vectors(tiny, cache=cache)
    assert again.meta["format"] == "native" and again.itos == first.itos
    assert Vectors(tiny, cache=cache, max_vectors=2).meta["format"] == "glove"
    assert (cache / "tiny.txt_2.ntv").is_dir()  # as torchtext named its .pt: <file>_<max>


def test_a_changed_file_is_read_again(tiny, cache):
    Vectors(tiny, cache=cache)
    tiny.write_text("owl 1 1\n", encoding="utf-8")
    changed = Vectors(tiny, cache=cache)
    assert changed.itos == ["owl"] and changed.meta["format"] == "glove"


def test_a_broken_store_in_cache_is_remade(tiny, cache):
    (cache / "tiny.txt.ntv").mkdir(parents=True)
    (cache / "tiny.txt.ntv" / "meta.json").write_text("{not json", encoding="utf-8")
    assert Vectors(tiny, cache=cache).itos == ["cat", "Cat", "dog", "the"]
    assert Vectors(tiny, cache=cache).meta["format"] == "native"


def test_a_file_torchtext_left_in_cache_is_found_by_its_name(tiny, cache):
    cache.mkdir()
    tiny.rename(cache / "glove.6B.50d.txt")
    v = Vectors("glove.6B.50d.txt", cache=cache)
    assert v.itos == ["cat", "Cat", "dog", "the"]  # the file there, not the catalogue's GloVe


def test_nothing_found_is_torchtexts_runtime_error(cache):
    with pytest.raises(CompatError, match=r"^no vectors found at .*no_such\.vec") as caught:
        Vectors("no_such.vec", cache=cache)
    assert isinstance(caught.value, RuntimeError)


def test_a_url_is_downloaded_once_into_the_library_cache(home, tmp_path):
    archive = zipped({"README": b"read me\n", "tiny.txt": ROWS.encode()})
    cache = tmp_path / "vector_cache"
    with FaultServer() as server:
        url = server.add("/tiny.zip", archive)
        first = Vectors("tiny.txt", cache=cache, url=url)
        again = Vectors("tiny.txt", cache=cache, url=url, max_vectors=1)
        assert len(server.requests()) == 1
    assert first.itos == ["cat", "Cat", "dog", "the"] and again.itos == ["cat"]
    assert first.meta["source"] == url and again.meta["format"] == "native"
    assert not cache.exists()  # the download and its store live in NLPTRANSFER_HOME
    assert any((home / "vectors" / "stores").glob("url-tiny-txt-*.ntv"))


def test_tls_verification_is_never_switched_off(glove50):
    # torchtext 0.18 set ssl._create_default_https_context to the unverified one, process-wide
    assert ssl._create_default_https_context is ssl.create_default_context


# -- named vectors ----------------------------------------------------------------------------
def test_glove_6b_50d_is_the_catalogues_glove_offline(glove50, monkeypatch):
    reference = load_vectors("glove-6b-50d")
    assert glove50.meta["source"] == "glove-6b-50d"
    assert glove50.itos == reference.words and glove50.dim == 50 and len(glove50) == 400_000
    assert torch.equal(glove50.vectors[:1000], torch.tensor(np.asarray(reference.matrix[:1000])))
    assert torch.equal(glove50["king"], torch.tensor(reference["king"]))
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    assert GloVe(name="6B", dim="50", max_vectors=10).itos == reference.words[:10]


def test_glove_names_map_to_the_catalogue(home, monkeypatch):
    assert TORCHTEXT_FILES["glove.840B.300d.txt"] == "glove-840b-300d"
    assert TORCHTEXT_FILES["glove.twitter.27B.25d.txt"] == "glove-twitter-27b-25d"
    assert set(TORCHTEXT_FILES.values()) <= set(catalog_names())
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")  # proves the route without downloading 2 GB
    for make, name in [
        (lambda: GloVe(), "glove-840b-300d"),
        (lambda: GloVe(name="42B", dim=300), "glove-42b-300d"),
        (lambda: GloVe(name="twitter.27B", dim=100), "glove-twitter-27b-100d"),
        (lambda: GloVe(name="6B", dim=300), "glove-6b-300d"),
        (lambda: FastText(language="en"), "fasttext-wiki-news-300d-1m"),
    ]:
        with pytest.raises(OfflineError, match=f"'{name}' is not cached"):
            make()


def test_glove_without_such_vectors_fails_at_once(home):
    with pytest.raises(CompatError, match=r"no vectors found at .*glove\.6B\.75d\.txt"):
        GloVe(name="6B", dim=75)
    with pytest.raises(CompatError, match=r"glove\.12B\.300d\.txt"):
        GloVe(name="12B")


def test_fasttext_for_another_language_downloads_torchtexts_file(home, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    with pytest.raises(OfflineError, match="url-wiki-simple-vec-"):
        FastText(language="simple")


def test_pretrained_aliases_are_torchtexts_names_the_catalogue_has(glove50):
    # torchtext 0.18 also had "charngram.100d" and "fasttext.simple.300d": not catalogued here
    assert sorted(pretrained_aliases) == sorted(
        [
            "fasttext.en.300d",
            "glove.42B.300d",
            "glove.840B.300d",
            "glove.twitter.27B.25d",
            "glove.twitter.27B.50d",
            "glove.twitter.27B.100d",
            "glove.twitter.27B.200d",
            "glove.6B.50d",
            "glove.6B.100d",
            "glove.6B.200d",
            "glove.6B.300d",
        ]
    )
    vectors = pretrained_aliases["glove.6B.50d"](max_vectors=5)
    assert isinstance(vectors, GloVe) and vectors.itos == glove50.itos[:5]


# -- CharNGram --------------------------------------------------------------------------------
def test_charngram_averages_the_ngrams_of_a_word_as_torchtext(cache):
    cache.mkdir()
    (cache / "charNgram.txt").write_text(
        "2gram-#BEGIN#a 1 0\n2gram-ab 3 0\n3gram-ab#END# 0 6\n4gram-#BEGIN#ab#END# 2 3\n"
        "2gram-zz 9 9\n",
        encoding="utf-8",
    )
    grams = CharNGram(cache=cache)
    assert grams["ab"].tolist() == [[1.5, 2.25]]  # 4 of its 6 n-grams: (1+3+0+2)/4, (0+0+6+3)/4
    assert grams["qq"].tolist() == [[0.0, 0.0]]  # no n-gram known: unk_init (zeros)
    assert grams["<unk>"].tolist() == [[0.0, 0.0]]
    assert grams.get_vecs_by_tokens(["ab", "qq"]).shape == (2, 1, 2)
