"""The torch-free name lists match what the modules implement."""

from __future__ import annotations

from nlptransfer.nn import embedding
from nlptransfer.nn.classifiers import CLASSIFIERS
from nlptransfer.nn.names import CLASSIFIER_NAMES, EMBEDDING_MODES


def test_classifier_names_are_the_classifiers_built():
    assert tuple(CLASSIFIERS) == CLASSIFIER_NAMES


def test_the_embedding_layer_uses_the_listed_modes():
    assert embedding.EMBEDDING_MODES is EMBEDDING_MODES
