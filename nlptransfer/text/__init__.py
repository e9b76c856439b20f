"""Text: tokenizers and the vocabulary that maps tokens to embedding rows."""

from nlptransfer.text.tokenize import Tokenizer, get_tokenizer
from nlptransfer.text.vocab import Vocab

__all__ = ["Tokenizer", "Vocab", "get_tokenizer"]
