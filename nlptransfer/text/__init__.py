"""Text: tokenizers and the vocabulary that maps tokens to embedding rows."""

from nlptransfer.text.tokenize import TOKENIZERS, Tokenizer, get_tokenizer
from nlptransfer.text.vocab import Vocab

__all__ = ["TOKENIZERS", "Tokenizer", "Vocab", "get_tokenizer"]
