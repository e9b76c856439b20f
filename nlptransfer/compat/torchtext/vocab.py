"""torchtext 0.18's ``vocab`` module: ``Vocab`` and its factories, ``Vectors`` and the named
pretrained vectors.

Code written for torchtext runs with its import changed::

    from nlptransfer.compat.torchtext.vocab import GloVe, build_vocab_from_iterator

Example:
    >>> import torch
    >>> texts = [["a", "good", "movie"], ["a", "bad", "movie"], ["good"]]
    >>> vocab = build_vocab_from_iterator(texts, specials=["<unk>", "<pad>"])
    >>> vocab.set_default_index(vocab["<unk>"])
    >>> vocab.get_itos()
    ['<unk>', '<pad>', 'a', 'good', 'movie', 'bad']
    >>> vocab(["a", "great", "movie"])
    [2, 0, 4]
    >>> glove = GloVe(name="6B", dim=50)
    >>> weights = glove.get_vecs_by_tokens(vocab.get_itos())
    >>> embedding = torch.nn.Embedding.from_pretrained(weights, padding_idx=vocab["<pad>"])
    >>> embedding.weight.shape, bool(weights[0].eq(0).all())   # "<unk>" is not in GloVe: zeros
    (torch.Size([6, 50]), True)
"""

from nlptransfer.compat.torchtext._vector_sources import TORCHTEXT_FILES
from nlptransfer.compat.torchtext._vectors import (
    CharNGram,
    FastText,
    GloVe,
    Vectors,
    pretrained_aliases,
)
from nlptransfer.compat.torchtext._vocab import Vocab, build_vocab_from_iterator, vocab

__all__ = [
    "TORCHTEXT_FILES",
    "CharNGram",
    "FastText",
    "GloVe",
    "Vectors",
    "Vocab",
    "build_vocab_from_iterator",
    "pretrained_aliases",
    "vocab",
]
