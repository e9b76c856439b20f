"""The ``hf`` tokenizer: a Hugging Face tokenizer.json, as token vectors were made for."""

from __future__ import annotations

import json
import pickle

import pytest

from nlptransfer.errors import NLPTransferError
from nlptransfer.text.hf_tokenizer import HFTokenizer, vocabulary_tokens
from nlptransfer.text.tokenize import TOKENIZERS, get_tokenizer, tokenizer_from_config
from tests.conftest import skip_unless_installed
from tests.static_models import wordllama_files

skip_unless_installed("tokenizers")
WEIGHTS, LLAMA = wordllama_files()


@pytest.fixture(scope="module")
def llama():
    return get_tokenizer("hf", path=LLAMA)


def test_it_is_registered_and_splits_into_the_vocabulary_s_tokens(llama):
    assert "hf" in TOKENIZERS.names()
    tokens = llama("Unbelievably dull, isn't it?")
    assert tokens[:3] == ["▁Un", "bel", "iev"]
    vocabulary = set(llama.vocabulary())
    assert all(t in vocabulary for t in tokens)
    assert "<s>" not in tokens  # no special tokens, as WordLlama embeds a text


def test_special_tokens_on_request():
    assert get_tokenizer("hf", path=LLAMA, add_special_tokens=True)("hi")[0] == "<s>"


def test_batch_equals_one_at_a_time_and_nothing_pads(llama):
    texts = ["a", "a much longer sentence than the first one", ""]
    assert llama.tokenize_batch(texts) == [llama(t) for t in texts]
    assert llama.tokenize_batch(texts)[0] == ["▁a"]  # no <pad>: padding is switched off


def test_vocabulary_is_in_id_order(llama):
    tokens = llama.vocabulary()
    ids = json.loads(LLAMA.read_text(encoding="utf-8"))["model"]["vocab"]
    assert len(tokens) == 32000 == len(ids)
    assert all(ids[token] == i for i, token in enumerate(tokens))


def test_a_gap_in_the_ids_is_refused():
    text = json.dumps(
        {
            "version": "1.0",
            "model": {"type": "WordLevel", "unk_token": "u", "vocab": {"u": 0, "x": 2}},
        }
    )
    with pytest.raises(NLPTransferError, match="expected token ids 0 to 1, found none or several"):
        vocabulary_tokens(text)


def test_saved_into_a_folder_and_rebuilt_from_it(tmp_path, llama):
    config = llama.save_files(tmp_path)
    assert config["path"] == "tokenizer.json" and config["sha256"] == llama.sha256
    assert (tmp_path / "tokenizer.json").read_bytes() == LLAMA.read_bytes()
    again = tokenizer_from_config(json.loads(json.dumps(config)), folder=tmp_path)
    assert again("a gorgeous, witty film") == llama("a gorgeous, witty film")


def test_a_changed_tokenizer_file_is_refused(tmp_path, llama):
    config = llama.save_files(tmp_path)
    (tmp_path / "tokenizer.json").write_text(LLAMA.read_text(encoding="utf-8") + "\n")
    with pytest.raises(NLPTransferError, match="the tokenizer changed since its config"):
        tokenizer_from_config(config, folder=tmp_path)


def test_path_or_json_but_not_both_or_neither(tmp_path):
    with pytest.raises(ValueError, match="either path= or tokenizer_json="):
        HFTokenizer()
    with pytest.raises(ValueError, match="either path= or tokenizer_json="):
        HFTokenizer(path=LLAMA, tokenizer_json="{}")
    with pytest.raises(NLPTransferError, match=r"expected a Hugging Face tokenizer\.json at"):
        HFTokenizer(path=tmp_path / "missing.json")
    with pytest.raises(NLPTransferError, match="found one tokenizers cannot read"):
        HFTokenizer(tokenizer_json='{"model": 3}')("text")


def test_it_pickles_for_worker_processes(llama):
    llama("warm up")  # builds the Rust tokenizer, which the pickle leaves out
    again = pickle.loads(pickle.dumps(llama))
    assert "_tokenizer" not in again.__dict__
    assert again("the same split") == llama("the same split")


def test_options_of_every_tokenizer_apply(llama):
    tok = get_tokenizer("hf", path=LLAMA, max_tokens=2, lowercase=True)
    assert tok("The Cat sat") == ["▁the", "▁cat"]
