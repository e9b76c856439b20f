"""The ``spacy`` format: vectors written as a spaCy pipeline folder that ``spacy.load`` opens and a
text classifier trains on, and the vectors of spaCy pipeline folders read back."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nlptransfer import load_vectors, read_vectors
from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.convert import write_vectors
from nlptransfer.vectors.formats import detect_format
from tests.conftest import gensim_data

spacy = pytest.importorskip("spacy")

#: Training words of a two-class task, and words of each class the classifier never sees.
ROYAL = ["king", "queen", "prince", "throne", "monarch", "crown", "duke", "royal"]
FOOD = ["apple", "banana", "bread", "cheese", "rice", "soup", "pizza", "salad"]
UNSEEN = {"princess": "ROYAL", "emperor": "ROYAL", "empress": "ROYAL", "duchess": "ROYAL"}
UNSEEN |= {"mango": "FOOD", "noodles": "FOOD", "sandwich": "FOOD", "yogurt": "FOOD"}


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d", vocab=[*ROYAL, *FOOD, *UNSEEN])


@pytest.fixture(scope="module")
def pipeline(glove, tmp_path_factory):
    return write_vectors(glove, tmp_path_factory.mktemp("spacy") / "glove-pipeline", "spacy")


def test_spacy_loads_the_pipeline_with_our_vectors(glove, pipeline):
    nlp = spacy.load(pipeline)
    assert nlp.lang == "en" and nlp.vocab.vectors.shape == (len(glove), 50)
    for word in glove.words:
        np.testing.assert_array_equal(nlp.vocab[word].vector, glove[word])
    np.testing.assert_allclose(
        nlp("king").similarity(nlp("queen")), glove.similarity("king", "queen"), rtol=1e-5
    )
    royals = nlp("king queen")
    assert royals.similarity(nlp("prince throne")) > royals.similarity(nlp("apple banana"))
    assert nlp.meta["nlptransfer"]["source"] == "glove-6b-50d"


def test_the_pipeline_reads_back_the_same(glove, pipeline):
    assert detect_format(pipeline) == "spacy"  # not the native store, though it has a meta.json
    back = read_vectors(pipeline)
    assert back.words == glove.words and back.format == "spacy"
    np.testing.assert_array_equal(back.matrix, glove.matrix)
    assert back.meta["language"] == "en" and back.meta["made_from"]["source"] == "glove-6b-50d"
    assert back.meta["source_name"] == "glove-pipeline"
    assert load_vectors(pipeline, limit=3).words == glove.words[:3]
    assert read_vectors(pipeline, vocab={"mango", "king"}).words == ["king", "mango"]


def test_its_text_classifier_learns_through_the_vectors(pipeline):
    """A text classifier whose tok2vec includes the static vectors, trained on 16 words, labels
    words it never saw by their vectors alone (the hashed-feature table cannot know them)."""
    from spacy.training import Example
    from spacy.util import fix_random_seed

    fix_random_seed(0)  # the same start whatever ran before (seeds 0 to 7 tried: all right)
    nlp = spacy.load(pipeline)
    embed = {"@architectures": "spacy.MultiHashEmbed.v2", "width": 16, "attrs": ["NORM"]}
    embed |= {"rows": [100], "include_static_vectors": True}
    encode = {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 16, "depth": 1}
    encode |= {"window_size": 1, "maxout_pieces": 2}
    model = {"@architectures": "spacy.TextCatReduce.v1", "exclusive_classes": True}
    model |= {f"use_reduce_{r}": r == "mean" for r in ("first", "last", "max", "mean")}
    model["tok2vec"] = {"@architectures": "spacy.Tok2Vec.v2", "embed": embed, "encode": encode}
    nlp.add_pipe("textcat", config={"model": model})
    pairs = [(a, b) for a, b in zip(ROYAL[::2], ROYAL[1::2], strict=True)]
    texts = [(f"{a} {b}", "ROYAL") for a, b in pairs]
    texts += [(f"{a} {b}", "FOOD") for a, b in zip(FOOD[::2], FOOD[1::2], strict=True)]
    examples = [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {"ROYAL": label == "ROYAL", "FOOD": label == "FOOD"}}
        )
        for text, label in texts
    ]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(0)
    for _ in range(60):
        rng.shuffle(examples)
        nlp.update(examples, sgd=optimizer)
    for word, label in UNSEEN.items():
        cats = nlp(word).cats
        assert max(cats, key=cats.__getitem__) == label, (word, cats)


def test_spacy_training_takes_it_as_its_initialize_vectors(glove, pipeline):
    """What ``spacy train`` does with ``[initialize] vectors = "DIR"`` in a config."""
    from spacy.training.initialize import load_vectors_into_model

    nlp = spacy.blank("en")
    load_vectors_into_model(nlp, str(pipeline))
    assert nlp.vocab.vectors.shape == (len(glove), 50)
    np.testing.assert_array_equal(nlp.vocab["mango"].vector, glove["mango"])


def test_a_pipeline_spacy_made_reads_and_writes_back(tmp_path):
    """A pipeline made by spaCy's own ``init vectors`` from a real fastText ``.vec`` (Cyrillic)
    reads as that file's vectors, and written again it holds the same."""
    from spacy.training.initialize import convert_vectors

    source = gensim_data("crime-and-punishment.vec")
    nlp = spacy.blank("ru")
    convert_vectors(nlp, source, truncate=0, prune=-1)
    nlp.to_disk(tmp_path / "made-by-spacy")
    theirs = read_vectors(tmp_path / "made-by-spacy")
    ours = read_vectors(source)
    assert sorted(theirs.words) == sorted(ours.words)
    np.testing.assert_array_equal(theirs[ours.words], ours.matrix)
    assert theirs.meta["language"] == "ru" and theirs.meta["spacy_vectors_name"]

    again = write_vectors(theirs, tmp_path / "again", "spacy")
    reloaded = spacy.load(again)
    assert reloaded.lang == "ru"  # the language read is the language written
    for word in ours.words:
        np.testing.assert_array_equal(reloaded.vocab[word].vector, ours[word])


def test_a_pipeline_without_vectors_is_a_clear_error(tmp_path):
    spacy.blank("en").to_disk(tmp_path / "blank")
    assert detect_format(tmp_path / "blank") == "spacy"
    with pytest.raises(VectorsFormatError, match=r"blank: expected word vectors .* found none"):
        read_vectors(tmp_path / "blank")


def test_the_language_comes_from_the_vectors_and_must_be_spacys(glove, tmp_path):
    glove.meta["language"] = "de"
    try:
        assert spacy.load(write_vectors(glove, tmp_path / "de", "spacy")).lang == "de"
        glove.meta["language"] = "zz"
        with pytest.raises(ValueError, match="spaCy has no language 'zz'"):
            write_vectors(glove, tmp_path / "zz", "spacy")
        assert not (tmp_path / "zz").exists()
    finally:
        del glove.meta["language"]
