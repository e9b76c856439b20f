"""The examples of docs/vectors.md's "gensim and spaCy, both ways" run as written, and say true
things (the values their comments give)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.conftest import REPO

SECTION = "## gensim and spaCy, both ways"


def _python_blocks() -> list[str]:
    text = (REPO / "docs" / "vectors.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.DOTALL)


def test_the_examples_run_and_their_comments_hold(tmp_path, monkeypatch):
    pytest.importorskip("gensim")
    pytest.importorskip("spacy")
    blocks = _python_blocks()
    assert len(blocks) == 4
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    for block in blocks:
        exec(compile(block, "docs/vectors.md", "exec"), names)
    glove, back = names["glove"], names["back"]
    assert back.words == glove.words
    np.testing.assert_array_equal(back.matrix, glove.matrix)
    ft, kv, again = names["ft"], names["kv"], names["again"]
    np.testing.assert_allclose(
        again.vector("transferlearning"), ft.vector("transferlearning"), rtol=1e-6, atol=1e-7
    )
    nlp = names["nlp"]
    np.testing.assert_array_equal(nlp.vocab["king"].vector, glove["king"])
    similarity = nlp("king queen").similarity(nlp("prince princess"))
    assert round(similarity, 2) == 0.86
    assert names["read_vectors"]("glove-pipeline").words[:3] == ["the", ",", "."]
    assert type(kv).__name__ == "FastTextKeyedVectors"
