"""`TextClassifierPipeline.evaluate`: a trained model scored on labelled texts."""

from __future__ import annotations

import pytest

from nlptransfer.errors import DatasetError
from nlptransfer.train.classify import train_classifier
from nlptransfer.train.trainer import TrainConfig

GOOD = ["a good film", "good acting", "really good", "good and fun", "so good"]
BAD = ["a bad film", "bad acting", "really bad", "bad and dull", "so bad"]


@pytest.fixture(scope="module")
def run():
    texts = GOOD + BAD
    labels = [1] * len(GOOD) + [0] * len(BAD)
    held_out = (["good", "bad", "good fun", "bad plot"], [1, 0, 0, 0])
    return train_classifier(
        (texts * 4, labels * 4),
        label_names=["negative", "positive"],
        vectors=None,
        test=held_out,
        model="nbow",
        mode="random",
        tokenizer="whitespace",
        train_config=TrainConfig(epochs=30, lr=0.05, seed=0, progress=False),
    )


def test_evaluate_scores_as_training_scored_the_test_set(run):
    texts, labels = ["good", "bad", "good fun", "bad plot"], [1, 0, 0, 0]
    metrics = run.pipeline.evaluate(texts, labels)
    assert metrics == run.metrics["test"]
    # "good fun" is labelled negative on purpose: one error, in row negative, column positive
    assert metrics["confusion_matrix"] == [[2, 1], [0, 1]]
    assert metrics["accuracy"] == 0.75 and metrics["examples"] == 4


def test_labels_may_be_names(run):
    by_name = run.pipeline.evaluate(GOOD + BAD, ["positive"] * 5 + ["negative"] * 5)
    assert by_name["accuracy"] == 1.0 and by_name["confusion_matrix"] == [[5, 0], [0, 5]]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["positive", "neutral"], "'neutral' is not one of the model's labels"),
        ([1, 2], "label id 2 is out of range"),
        ([1], "expected a label for each of 2 texts, got 1"),
    ],
)
def test_labels_the_model_does_not_have_are_refused(run, labels, message):
    with pytest.raises(DatasetError, match=message):
        run.pipeline.evaluate(["good", "bad"], labels)
