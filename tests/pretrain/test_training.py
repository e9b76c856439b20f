"""Pretraining word2vec / fastText on real IMDB reviews, and adapting GloVe to them."""

from __future__ import annotations

import bz2
import gzip
import logging
import zipfile
from collections import Counter

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import CorpusError, CorpusNotFoundError, PretrainError
from nlptransfer.pretrain import corpus as corpus_module
from nlptransfer.pretrain.corpus import tokenize_corpus
from nlptransfer.pretrain.progress import TrainingProgress
from nlptransfer.pretrain.training import pretrain_vectors, vectors_from_gensim
from nlptransfer.text.tokenize import get_tokenizer
from tests.conftest import gensim_data
from tests.vectors.imdb_text import corrupted, imdb_reviews, truncated, write_imdb_corpus

gensim_models = pytest.importorskip("gensim.models")

FAST = {"workers": 2, "tokenizer": "regex", "progress": False}


def top(vectors, word, k=10):
    return [w for w, _ in vectors.nearest([word], k=k)[0]]


# -- word2vec ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def w2v_run(shared_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("w2v")
    corpus = write_imdb_corpus(shared_file, folder / "imdb3k.txt.gz", 3000, gz=True)
    vectors = pretrain_vectors(
        corpus, dim=32, epochs=2, min_count=5, seed=0, out=folder / "imdb-w2v",
        export=["word2vec-bin", "word2vec-text"], **FAST,
    )  # fmt: skip
    return corpus, folder, vectors


def test_word2vec_store_loads_with_load_vectors(w2v_run):
    _, folder, vectors = w2v_run
    again = load_vectors(folder / "imdb-w2v.ntv")
    assert again.words == vectors.words and again.dim == 32
    np.testing.assert_array_equal(again.matrix, vectors.matrix)
    record = again.meta["pretrain"]
    assert record["algorithm"] == "word2vec" and record["corpus"]["documents"] == 3000
    assert [e["epoch"] for e in record["epoch_log"]] == [1, 2]
    assert all(e["words_per_second"] > 0 and e["loss"] > 0 for e in record["epoch_log"])
    assert not again.has_subwords


def test_vocabulary_is_every_word_seen_min_count_times(w2v_run):
    corpus, _, vectors = w2v_run
    tok = get_tokenizer("regex", lowercase=True)
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        counts = Counter(t for line in handle for t in tok(line))
    expected = {w for w, c in counts.items() if c >= 5}
    assert set(vectors.words) == expected
    assert vectors.words[0] == counts.most_common(1)[0][0]  # gensim sorts by frequency
    assert vectors.meta["pretrain"]["corpus"]["tokens"] == sum(counts.values())


def test_neighbours_are_sensible(w2v_run):
    vectors = w2v_run[2]
    assert "film" in top(vectors, "movie")
    assert {"terrible", "awful", "horrible"} & set(top(vectors, "bad"))
    assert {"actress", "performer"} & set(top(vectors, "actor"))


def test_exports_load_in_gensim(w2v_run):
    _, folder, vectors = w2v_run
    from gensim.models import KeyedVectors

    for name, binary in (("imdb-w2v.bin", True), ("imdb-w2v.vec", False)):
        kv = KeyedVectors.load_word2vec_format(str(folder / name), binary=binary)
        assert kv.index_to_key == vectors.words
        if binary:
            np.testing.assert_array_equal(kv.vectors, vectors.matrix)
        else:
            np.testing.assert_allclose(kv.vectors, vectors.matrix, atol=1e-5)
    assert set(vectors.meta["pretrain"]["exports"]) == {"word2vec-bin", "word2vec-text"}


def test_same_seed_one_worker_repeats_exactly(shared_file, tmp_path):
    corpus = write_imdb_corpus(shared_file, tmp_path / "c.txt", 300)
    options = {**FAST, "workers": 1, "dim": 16, "epochs": 1, "min_count": 2}
    a = pretrain_vectors(corpus, seed=3, **options)
    b = pretrain_vectors(corpus, seed=3, **options)
    c = pretrain_vectors(corpus, seed=4, **options)
    np.testing.assert_array_equal(a.matrix, b.matrix)
    assert not np.array_equal(a.matrix, c.matrix)


def test_spacy_tokenizer_and_lowercase_are_the_defaults(shared_file, tmp_path):
    corpus = write_imdb_corpus(shared_file, tmp_path / "c.txt", 150)
    vectors = pretrain_vectors(corpus, dim=8, epochs=1, min_count=1, workers=1, progress=False)
    assert {"'s", "n't", "."} <= set(vectors.words)  # spaCy splits clitics and punctuation
    assert all(w == w.lower() for w in vectors.words)
    assert vectors.meta["pretrain"]["corpus"]["tokenizer"]["name"] == "spacy"


# -- fastText ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ft_run(shared_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ft")
    corpus = write_imdb_corpus(shared_file, folder / "imdb1k.txt", 1000)
    vectors = pretrain_vectors(
        corpus, algorithm="fasttext", dim=16, epochs=2, min_count=3, bucket=20_000, seed=0,
        out=folder / "imdb-ft", export="fasttext-bin", **FAST,
    )  # fmt: skip
    unseen = []
    tok = get_tokenizer("regex", lowercase=True)
    for review in imdb_reviews(shared_file("imdb/train.csv.gz"), 200, skip=5000):
        unseen += [t for t in tok(review) if t not in vectors and len(t) > 3 and t not in unseen]
    return folder, vectors, unseen[:60]


def test_fasttext_keeps_subwords_in_the_store(ft_run):
    folder, vectors, unseen = ft_run
    again = load_vectors(folder / "imdb-ft.ntv")
    assert again.has_subwords and vectors.has_subwords
    assert (again.subwords.minn, again.subwords.maxn, again.subwords.bucket) == (3, 6, 20_000)
    assert len(unseen) >= 30 and not any(w in again for w in unseen)
    for word in unseen:
        np.testing.assert_array_equal(again.vector(word), vectors.vector(word))
        assert np.linalg.norm(again.vector(word)) > 0


def test_fasttext_vectors_equal_gensims_and_fasttexts(ft_run):
    folder, vectors, unseen = ft_run
    from gensim.models.fasttext import load_facebook_vectors

    kv = load_facebook_vectors(str(folder / "imdb-ft.fasttext.bin"))
    assert kv.index_to_key == vectors.words
    np.testing.assert_array_equal(kv.vectors, vectors.matrix)  # in-vocabulary rows: exact
    for word in unseen:  # gensim divides by the n-gram count, fastText multiplies by 1/count
        np.testing.assert_allclose(vectors.vector(word), kv[word], rtol=1e-6, atol=1e-7)
    fasttext = pytest.importorskip("fasttext")
    model = fasttext.load_model(str(folder / "imdb-ft.fasttext.bin"))
    for word in unseen:
        np.testing.assert_array_equal(vectors.vector(word), model.get_word_vector(word))
    ours = load_vectors(folder / "imdb-ft.fasttext.bin")  # our reader of the exported file
    np.testing.assert_array_equal(ours.vector(unseen[0]), vectors.vector(unseen[0]))


def test_vectors_from_a_gensim_fasttext_model(shared_file, tmp_path):
    tok = get_tokenizer("regex", lowercase=True)
    sentences = [tok(r) for r in imdb_reviews(shared_file("imdb/train.csv.gz"), 300)]
    model = gensim_models.FastText(
        sentences, vector_size=12, min_count=2, bucket=5000, epochs=1, workers=1, seed=1
    )
    vectors = vectors_from_gensim(model.wv)
    assert vectors.words == model.wv.index_to_key
    for word in vectors.words[:200]:
        np.testing.assert_array_equal(vectors[word], model.wv[word])
    for word in ["moviegoers", "unwatchably", "filmmaking's", "naïveté", "スター"]:
        assert word not in vectors
        np.testing.assert_allclose(vectors.vector(word), model.wv[word], rtol=1e-6, atol=1e-7)


def test_unseen_misspelling_lands_near_its_word(ft_run):
    vectors = ft_run[1]
    assert "moviee" not in vectors
    assert vectors.similarity(vectors.vector("moviee"), "movie") > 0.8


# -- domain adaptation ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d")


@pytest.fixture(scope="module")
def published(glove):
    """GloVe's 100,000 most frequent words: as good a start, and a faster test."""
    return glove.subset(glove.words[:100_000])


@pytest.fixture(scope="module")
def adapted(shared_file, tmp_path_factory, published):
    folder = tmp_path_factory.mktemp("adapt")
    corpus = write_imdb_corpus(shared_file, folder / "imdb3k.txt", 3000)
    return pretrain_vectors(
        corpus, init=published, epochs=1, seed=0, out=folder / "adapted", **FAST
    )


def test_adaptation_keeps_published_vectors_for_words_the_corpus_lacks(adapted, published):
    trained = adapted.meta["pretrain"]["corpus"]["vocabulary"]
    kept = adapted.words[trained:]
    assert adapted.dim == 50 and len(kept) == adapted.meta["pretrain"]["init"]["kept_words"]
    assert set(kept) == set(published.words) - set(adapted.words[:trained])
    np.testing.assert_array_equal(adapted[kept], published[kept])  # bit-identical rows
    assert "photosynthesis" in kept and "movie" not in kept


def test_adaptation_moves_shared_words_towards_the_domain(adapted, glove):
    record = adapted.meta["pretrain"]["init"]
    assert record["source"] == "glove-6b-50d" and record["shared_words"] > 0.9 * (
        record["shared_words"] + record["new_words"]
    )
    for word in ("movie", "plot", "the"):
        assert not np.array_equal(adapted[word], glove[word])
    # "plot": a conspiracy in Wikipedia and news, a story in film reviews.
    assert "conspiracy" in top(glove, "plot") and "conspiracy" not in top(adapted, "plot")
    assert not {"storyline", "premise"} & set(top(glove, "plot"))
    assert {"storyline", "premise"} & set(top(adapted, "plot"))


def test_adapted_store_round_trips(adapted):
    again = load_vectors(adapted.meta["store_path"])
    assert again.words == adapted.words
    np.testing.assert_array_equal(again.matrix, adapted.matrix)


def test_adaptation_settings_that_cannot_work(shared_file, tmp_path, glove):
    corpus = write_imdb_corpus(shared_file, tmp_path / "c.txt", 20)
    with pytest.raises(PretrainError, match="dim=100 differs from the 50"):
        pretrain_vectors(corpus, init=glove, dim=100, **FAST)
    with pytest.raises(PretrainError, match="algorithm='word2vec' only"):
        pretrain_vectors(corpus, init=glove, algorithm="fasttext", **FAST)
    with pytest.raises(PretrainError, match="uncased"):
        pretrain_vectors(corpus, init=glove, lowercase=False, **FAST)


def test_cased_init_keeps_the_corpus_case(shared_file, tmp_path):
    lee = load_vectors(gensim_data("lee_fasttext.vec"))  # cased 10d vectors made by fastText
    corpus = write_imdb_corpus(shared_file, tmp_path / "c.txt", 200)
    adapted = pretrain_vectors(corpus, init=lee, epochs=1, keep_init_words=False, **FAST)
    record = adapted.meta["pretrain"]
    assert record["dim"] == 10 and record["corpus"]["tokenizer"]["lowercase"] is False
    assert "The" in adapted and "the" in adapted and record["init"]["shared_words"] > 100


# -- bad corpora and settings -----------------------------------------------------------------
def test_missing_corpus_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(CorpusNotFoundError, match=r"nope\.txt: expected a corpus file") as info:
        pretrain_vectors(missing, progress=False)
    assert isinstance(info.value, FileNotFoundError) and info.value.path == str(missing)
    with pytest.raises(CorpusNotFoundError, match="found a folder"):
        pretrain_vectors([tmp_path], progress=False)


@pytest.mark.parametrize("content", [b"", b"\n\n   \n\t\n"])
def test_empty_corpus(tmp_path, content):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(content)
    with pytest.raises(CorpusError, match=r"empty\.txt: .*no token.*empty"):
        pretrain_vectors(empty, **FAST)


def test_truncated_gzip_names_the_file_and_line(shared_file, tmp_path):
    good = write_imdb_corpus(shared_file, tmp_path / "good.txt.gz", 400, gz=True)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(truncated(good.read_bytes()))
    with pytest.raises(CorpusError, match=r"cut\.txt\.gz, line \d+: .*truncated") as info:
        pretrain_vectors(cut, **FAST)
    assert 100 < info.value.line < 400


def test_corrupt_gzip(shared_file, tmp_path):
    good = write_imdb_corpus(shared_file, tmp_path / "good.txt.gz", 400, gz=True)
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(corrupted(good.read_bytes()))
    with pytest.raises(CorpusError, match=r"bad\.txt\.gz, line \d+: .*corrupt"):
        pretrain_vectors(bad, **FAST)


def test_binary_and_zip_files_are_refused(shared_file, tmp_path):
    binary = gensim_data("lee_fasttext_new.bin")
    with pytest.raises(CorpusError, match=r"lee_fasttext_new\.bin, line \d+: .*binary data"):
        pretrain_vectors(binary, **FAST)
    archive = tmp_path / "reviews.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("reviews.txt", "\n".join(imdb_reviews(shared_file("imdb/train.csv.gz"), 5)))
    with pytest.raises(CorpusError, match="zip archive"):
        pretrain_vectors(archive, **FAST)


def test_vocabulary_empty_after_min_count(shared_file, tmp_path):
    corpus = write_imdb_corpus(shared_file, tmp_path / "tiny.txt", 3)
    with pytest.raises(
        CorpusError, match=r"tiny\.txt: expected words occurring at least min_count=1000"
    ):
        pretrain_vectors(corpus, min_count=1000, **FAST)


def test_settings_are_checked_before_any_work(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    with pytest.raises(PretrainError, match="unknown algorithm 'glove'"):
        pretrain_vectors(corpus, algorithm="glove")
    with pytest.raises(PretrainError, match="give out="):
        pretrain_vectors(corpus, export="word2vec-bin")
    with pytest.raises(PretrainError, match="needs algorithm='fasttext'"):
        pretrain_vectors(corpus, export="fasttext-bin", out=tmp_path / "x")
    with pytest.raises(PretrainError, match="may not set"):
        pretrain_vectors(corpus, gensim_options={"vector_size": 3})
    with pytest.raises(PretrainError, match="minn <= maxn"):
        pretrain_vectors(corpus, algorithm="fasttext", minn=5, maxn=3)


# -- reading corpora --------------------------------------------------------------------------
def test_several_files_gzip_bz2_and_latin1(shared_file, tmp_path):
    mr = shared_file("kim2014/rt-polarity.all")  # real Latin-1 lines from Windows tools
    reviews = imdb_reviews(shared_file("imdb/train.csv.gz"), 20)
    gz = tmp_path / "a.txt.gz"
    gz.write_bytes(gzip.compress("\n".join(reviews[:10]).encode()))
    bz = tmp_path / "b.txt"  # compression is recognised by content, not name
    bz.write_bytes(bz2.compress("\n".join(reviews[10:]).encode()))
    out = tmp_path / "tokens.txt"
    stats = tokenize_corpus([gz, bz, mr], out, tokenizer="whitespace", progress=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert stats.documents == len(lines) == 20 + 10662
    assert stats.fallback_lines > 0
    assert lines[0].split() == reviews[0].lower().split()
    assert any("…" in line or "é" in line for line in lines[20:])


def test_tokens_never_hold_whitespace(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("nbsp\u00a0inside a\u2003token\nline\u2028sep\n", encoding="utf-8")
    out = tmp_path / "t.txt"
    tokenize_corpus(corpus, out, tokenizer=get_tokenizer("spacy"), progress=False)
    for line in out.read_text(encoding="utf-8").split("\n")[:-1]:
        assert all(token and not any(ch.isspace() for ch in token) for token in line.split(" "))


@pytest.mark.slow
def test_parallel_tokenising_matches_one_process(shared_file, tmp_path, monkeypatch):
    corpus = write_imdb_corpus(shared_file, tmp_path / "c.txt", 120)
    monkeypatch.setattr(corpus_module, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(corpus_module, "BATCH_LINES", 25)
    one = tokenize_corpus(corpus, tmp_path / "one.txt", workers=1, progress=False)
    two = tokenize_corpus(corpus, tmp_path / "two.txt", workers=2, progress=False)
    assert (tmp_path / "one.txt").read_bytes() == (tmp_path / "two.txt").read_bytes()
    assert one.tokens == two.tokens and one.documents == two.documents == 120


@pytest.mark.parametrize("level", [logging.INFO, logging.WARNING])
def test_progress_follows_gensims_log(caplog, level):
    name = "gensim.models.word2vec"
    progress = TrainingProgress(epochs=2, corpus_words=1000, enabled=True)
    log = logging.getLogger(name)
    with caplog.at_level(level, logger=name):
        with progress:
            log.info("EPOCH %i - PROGRESS: at %.2f%% words, %.0f words/s, in_qsize %i, out_qsize %i",
                     1, 50.0, 1000.0, -1, 0)  # fmt: skip
            assert progress._bar.n == 1500  # the bar moves even when the logger shows warnings
            log.info("collected %i word types", 10)
            log.warning("a warning")
        assert log.level == level and progress._filter not in log.filters  # restored
    assert "PROGRESS" not in caplog.text and "a warning" in caplog.text
    assert ("collected 10 word types" in caplog.text) == (level == logging.INFO)
