"""Training a real classifier end to end on Kim's SST-2 sentences, saving and reloading it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import load_file

from nlptransfer import load_classifier, load_vectors
from nlptransfer.train.classify import train_classifier
from nlptransfer.train.trainer import TrainConfig
from tests.conftest import read_kim


@pytest.fixture(scope="module")
def sst2(shared_file):
    return (
        read_kim(shared_file("kim2014/stsa.binary.train"), 2000),
        read_kim(shared_file("kim2014/stsa.binary.dev")),
    )


@pytest.fixture(scope="module")
def trained(sst2, tmp_path_factory):
    train, dev = sst2
    glove = load_vectors("glove-6b-50d")
    folder = tmp_path_factory.mktemp("model") / "sst2-nbow"
    run = train_classifier(
        train,
        label_names=["negative", "positive"],
        vectors=glove,
        dev=dev,
        test=dev,
        model="nbow",
        mode="finetune",
        tokenizer="whitespace",
        train_config=TrainConfig(epochs=4, optimizer="adam", lr=3e-3, seed=0, progress=False),
        out=folder,
        info={"dataset": {"name": "sst2 (first 2000 sentences)"}},
    )
    return run, folder


def test_learns_better_than_chance(trained):
    run, _ = trained
    assert run.metrics["dev"]["accuracy"] > 0.65
    assert run.metrics["vocab_size"] > 1000 and run.metrics["pretrained_rows"] > 0.9 * (
        run.metrics["vocab_size"] - 2
    )


def test_folder_is_self_contained_and_pickle_free(trained):
    run, folder = trained
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "metrics.json",
        "model.safetensors",
        "vocab.json",
    ]
    metrics = json.loads((folder / "metrics.json").read_text())
    assert set(metrics["test"]) >= {"accuracy", "macro_f1", "confusion_matrix"}
    weights = load_file(str(folder / "model.safetensors"))
    assert weights["embedding.weight"].shape == (
        run.metrics["vocab_size"],
        50,
    )  # only the vocabulary's rows
    config = json.loads((folder / "config.json").read_text())
    assert (
        config["labels"] == ["negative", "positive"] and config["embedding"]["mode"] == "finetune"
    )
    assert "glove-6b-50d" in (folder / "README.md").read_text()


def test_model_card_gives_training_and_the_confusion_matrix(trained):
    run, folder = trained
    card = (folder / "README.md").read_text()
    best, ran = run.metrics["best_epoch"], run.metrics["epochs_run"]
    assert f"- Training: adam (lr 0.003), batches of 50, seed 0; epoch {best} of {ran} kept" in card
    assert '"name": "whitespace"' in card  # the tokenizer
    (negatives, false_positives), (false_negatives, positives) = run.metrics["test"][
        "confusion_matrix"
    ]
    f1 = run.metrics["test"]["f1_per_class"]
    assert f"| negative | {negatives} | {false_positives} | {f1[0]:.3f} |" in card
    assert f"| positive | {false_negatives} | {positives} | {f1[1]:.3f} |" in card
    assert "nlptransfer.load_classifier(" in card


def test_reloaded_model_predicts_the_same(trained, sst2):
    run, folder = trained
    texts = sst2[1][0][:50]
    again = load_classifier(folder)
    np.testing.assert_allclose(
        again.predict_proba(texts), run.pipeline.predict_proba(texts), atol=1e-6
    )
    prediction = again.predict("a gorgeous , witty , seductive movie .")[0]
    assert prediction.label in ("negative", "positive")
    assert abs(sum(prediction.probabilities.values()) - 1) < 1e-5


def test_same_seed_same_model(sst2):
    train, dev = sst2
    glove = load_vectors("glove-6b-50d", vocab={w for t in train[0][:300] for w in t.split()})
    runs = [
        train_classifier(
            (train[0][:300], train[1][:300]),
            label_names=["negative", "positive"],
            vectors=glove,
            dev=(dev[0][:100], dev[1][:100]),
            model="cnn",
            mode="multichannel",
            tokenizer="whitespace",
            model_options={"filters": 8},
            train_config=TrainConfig(epochs=2, seed=3, progress=False),
        )
        for _ in range(2)
    ]
    assert runs[0].metrics["history"] == runs[1].metrics["history"]


def test_load_classifier_errors(tmp_path):
    from nlptransfer.errors import NLPTransferError

    with pytest.raises(NLPTransferError, match=r"config\.json"):
        load_classifier(tmp_path)


@pytest.mark.parametrize("add_eval_words", [True, False])
def test_dev_and_test_words_with_vectors_get_their_pretrained_rows(add_eval_words):
    glove = load_vectors("glove-6b-50d", vocab=["good", "bad", "movie", "superb", "dreadful"])
    train = (["good movie", "bad movie"] * 5, [1, 0] * 5)
    test = (["superb movie", "dreadful zzzunknownzzz"], [1, 0])
    run = train_classifier(
        train,
        label_names=["negative", "positive"],
        vectors=glove,
        dev=test,
        test=test,
        model="nbow",
        mode="frozen",
        tokenizer="whitespace",
        add_eval_words=add_eval_words,
        train_config=TrainConfig(epochs=1, optimizer="adam", progress=False),
    )
    vocab = run.pipeline.vocab
    assert ("superb" in vocab, "dreadful" in vocab) == (add_eval_words, add_eval_words)
    assert "zzzunknownzzz" not in vocab  # no vector: the unknown row, as before
    if add_eval_words:
        row = run.pipeline.model.embedding.weight[vocab["superb"]].detach().numpy()
        np.testing.assert_array_equal(row, glove["superb"])


def test_cnn_folder_from_before_the_padding_option_loads_with_valid_padding(tmp_path):
    glove = load_vectors("glove-6b-50d", vocab=["good", "bad", "movie"])
    run = train_classifier(
        (["good movie", "bad movie"] * 3, [1, 0] * 3),
        label_names=["negative", "positive"],
        vectors=glove,
        model="cnn",
        mode="frozen",
        tokenizer="whitespace",
        model_options={"filters": 4},
        train_config=TrainConfig(epochs=1, progress=False),
        out=tmp_path / "model",
    )
    assert run.pipeline.model.padding == "wide"
    config_path = tmp_path / "model" / "config.json"
    config = json.loads(config_path.read_text())
    del config["classifier"]["padding"]
    config_path.write_text(json.dumps(config))
    assert load_classifier(tmp_path / "model").model.padding == "valid"


def test_track_test_scores_the_test_set_every_epoch(sst2):
    train, dev = sst2
    test = (dev[0][:200], dev[1][:200])
    run = train_classifier(
        (train[0][:400], train[1][:400]),
        label_names=["negative", "positive"],
        vectors=load_vectors("glove-6b-50d", vocab={w for t in train[0][:400] for w in t.split()}),
        dev=(dev[0][200:], dev[1][200:]),
        test=test,
        model="nbow",
        mode="finetune",
        tokenizer="whitespace",
        train_config=TrainConfig(epochs=3, patience=None, seed=0, progress=False, track_test=True),
    )
    history = run.metrics["history"]
    assert len(history) == 3
    assert all({"accuracy", "test_accuracy", "test_macro_f1"} <= set(h) for h in history)
    # The test score reported is the kept (best dev) epoch's, the same as its history entry.
    kept = history[run.metrics["best_epoch"] - 1]
    assert kept["test_accuracy"] == run.metrics["test"]["accuracy"]


def test_track_test_without_a_test_set_is_an_error(sst2):
    train, dev = sst2
    with pytest.raises(ValueError, match="give a test set"):
        train_classifier(
            (train[0][:50], train[1][:50]),
            label_names=["negative", "positive"],
            vectors=None,
            dev=(dev[0][:20], dev[1][:20]),
            mode="random",
            tokenizer="whitespace",
            train_config=TrainConfig(epochs=1, progress=False, track_test=True),
        )


def test_a_dataset_dict_from_load_dataset_trains_as_its_splits_do(shared_data, monkeypatch):
    """``train_classifier(load_dataset(...))``: the same run as passing its splits by hand."""
    from nlptransfer.data import load_dataset

    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    ds = load_dataset("sst2", data_dir=shared_data, limit=300)
    glove = load_vectors("glove-6b-50d", vocab={w for t in ds["train"]["text"] for w in t.split()})
    options = {
        "vectors": glove,
        "model": "nbow",
        "mode": "frozen",
        "tokenizer": "whitespace",
        "train_config": TrainConfig(epochs=2, seed=0, progress=False),
    }
    direct = train_classifier(ds, **options)
    by_hand = train_classifier(
        (ds["train"]["text"], ds["train"]["label"]),
        label_names=["negative", "positive"],
        dev=(ds["dev"]["text"], ds["dev"]["label"]),
        test=(ds["test"]["text"], ds["test"]["label"]),
        **options,
    )
    assert direct.pipeline.label_names == ["negative", "positive"]
    assert direct.metrics["history"] == by_hand.metrics["history"]
    assert direct.metrics["test"] == by_hand.metrics["test"]
    assert direct.metrics["test"]["examples"] == ds["test"].num_rows
    assert direct.pipeline.info["dataset"] == {"name": "sst2"}


def test_a_dataset_dict_gives_its_own_splits_and_labels(shared_data, monkeypatch):
    from nlptransfer.data import load_dataset

    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    ds = load_dataset("sst2", data_dir=shared_data, limit=50)
    with pytest.raises(ValueError, match="dev= and test= come from the DatasetDict"):
        train_classifier(ds, vectors=None, mode="random", dev=(["a"], [0]))
    with pytest.raises(ValueError, match="differ from the DatasetDict's"):
        train_classifier(ds, vectors=None, mode="random", label_names=["pos", "neg"])
    with pytest.raises(ValueError, match="label_names= is needed"):
        train_classifier((["a", "b"], [0, 1]), vectors=None, mode="random")


def test_keeps_each_examples_prediction_behind_the_metrics(trained, sst2):
    run, _ = trained
    gold = sst2[1][1]
    for split in ("dev", "test"):
        predicted = run.predictions[split]
        assert len(predicted) == len(gold) and set(predicted) <= {0, 1}
        correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
        assert correct / len(gold) == run.metrics[split]["accuracy"]
    assert "predictions" not in json.loads(json.dumps(run.metrics))  # the model card stays small
