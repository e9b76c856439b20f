"""The torch-free name registry matches what the modules implement, and lists without torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nlptransfer.errors import UnknownNameError
from nlptransfer.nn import embedding
from nlptransfer.nn.classifiers import TextClassifier
from nlptransfer.nn.names import CLASSIFIERS, EMBEDDING_MODES


def test_every_builtin_classifier_resolves_to_a_text_classifier_of_that_name():
    for name in ("cnn", "bilstm", "nbow"):
        builder = CLASSIFIERS.get(name)
        assert issubclass(builder, TextClassifier) and builder.name == name
        assert CLASSIFIERS.source(name) == "nlptransfer"


def test_listing_classifiers_imports_no_torch():
    probe = (
        "import sys; from nlptransfer.nn import CLASSIFIERS; names = CLASSIFIERS.names(); "
        "print('torch' in sys.modules, names[:3])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False ('cnn', 'bilstm', 'nbow')"


def test_a_typo_names_the_close_match():
    with pytest.raises(UnknownNameError, match=r"unknown classifier 'nbw'; did you mean 'nbow'\?"):
        CLASSIFIERS.canonical("nbw")


def test_the_embedding_layer_uses_the_listed_modes():
    assert embedding.EMBEDDING_MODES is EMBEDDING_MODES
